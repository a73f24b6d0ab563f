"""``Page``: one page of a long list, as the list methods of ``Store`` return it."""

import types


class Page(list):
    """A list of a long list's items (due visits, households, findings, entries) with
    ``next``: the cursor to pass as ``after`` for the next page, ``None`` on the last page
    and when the whole list was asked for. ``Page[DueVisit]`` in type annotations.

    A page asked for with ``limit`` or ``after`` is in the list's page order (by household
    and rule for due lists, by id otherwise); without them, the whole list in its own order.
    """

    __slots__ = ("next",)
    __class_getitem__ = classmethod(types.GenericAlias)

    def __init__(self, items=(), next=None):
        super().__init__(items)
        self.next = next

    def __repr__(self):
        return f"Page({list.__repr__(self)}, next={self.next!r})"
