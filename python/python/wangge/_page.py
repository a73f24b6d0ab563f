"""``Page``: one page of a long list, as the list methods of ``Store`` return it."""

import types


class Page(list):
    """A list of a long list's items (due visits, households, findings, entries) with
    ``next``: the cursor to pass as ``after`` for the next page, ``None`` on the last page
    and when the whole list was asked for. ``Page[DueVisit]`` in type annotations.

    A page asked for with ``limit`` or ``after`` is in the list's page order (by household
    and rule for due lists, by id otherwise); without them, the whole list in its own order.

    A page is also a frame: ``__arrow_c_stream__`` (the Arrow PyCapsule interface, read
    by ``pyarrow.table(page)``, polars, DuckDB and pandas) and ``to_pandas()``, one
    column per field of its records (see ``to_pandas``).
    """

    __slots__ = ("next", "_rows")
    __class_getitem__ = classmethod(types.GenericAlias)

    def __init__(self, items=(), next=None, _rows=None):
        super().__init__(items)
        self.next = next
        self._rows = _rows

    def __repr__(self):
        return f"Page({list.__repr__(self)}, next={self.next!r})"

    def __reduce__(self):
        # Pickled and copied as its items and cursor: the native rows a compliance
        # report's page keeps for its frame stay behind (a copy of such a page is a page
        # of dicts, which makes no frame).
        return (Page, (list(self), self.next))

    def _table(self, labels):
        from wangge._native import _frame

        return _frame(self, labels, getattr(self, "_rows", None))

    def __arrow_c_stream__(self, requested_schema=None):
        """The page's records as an Arrow C stream (PyCapsule), English column names."""
        return self._table("en").__arrow_c_stream__(requested_schema)

    def to_arrow(self, labels="en"):
        """The page as a ``pyarrow.Table`` (see ``to_pandas`` for the columns). Raises
        ``ImportError`` when pyarrow is not installed."""
        table = self._table(labels)
        return _need("pyarrow", "Page.to_arrow").table(table)

    def to_pandas(self, labels="en"):
        """The page as a pandas ``DataFrame``, one row per item, one column per field of
        its records, in order: counts as ints, flags as bools, dates (``due``, ``on``) as
        ``datetime64``, moments (``reported_at``, ``deadline``) as ``datetime64`` in their
        offset, rates as three columns (``X``, ``X_num``, ``X_den``), lists (``tags``) as
        lists, ID numbers and phones masked as in the records. With ``labels="zh"`` the
        columns have Chinese headers (户编号, 状态...) and stored names their Chinese names
        (乡镇, 已登记, 入户, 电话...); any other ``labels`` raises ``InvalidInput``. An
        empty page gives an empty frame without columns. Needs pandas and pyarrow
        (``pip install 'wangge[pandas]'``).
        """
        table = self._table(labels)
        _need("pandas", "Page.to_pandas")
        pyarrow = _need("pyarrow", "Page.to_pandas")
        return pyarrow.table(table).to_pandas(date_as_object=False)


def _need(module, what):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(
            f"{what} needs {module}, which is not installed (pip install {module}): {e}"
        ) from e
