"""wangge (网格): grid-based community service management (网格化服务管理) on SQLite.

A deployment's territory is a tree of units (county, township, community, grid,
building) kept with its history in one SQLite file; staff are assigned to units;
households and their residents live in grids, with tags that make a household special
(特殊户) over dates, a versioned archive (民生档案) and bulk import from CSV, dicts or a
DataFrame; ID numbers and phones are masked unless read with ``Store.resident_clear``,
which is audited. Demands and hazards go into the ledger (台账): ``Store.register``
classifies an entry into its books, triages it to the grid, the community or the
township and gives it a deadline in working days of the official calendar
(``add_working_days``), and the workflow (``sign_for``, ``start``, ``resolve``,
``verify``, ``close_entry``...) records every change as an event. ``Period`` is a
calendar period (``Period.parse("2024-Q1")``): its days, its neighbours, and how weeks,
months, quarters and years nest. ``Store.report`` gives a unit's indicators over a
period (报告: totals, a row per child, breakdowns per category and book) as dicts, JSON,
CSV, XLSX or a DataFrame, and ``Store.circular`` ranks its children on one of the
``INDICATORS`` (通报). ``Store.submit`` seals a unit's report for a period of its
cadence (报告制度) and ``Store.approve``, by the level above, locks the period;
``Store.assessment`` scores and ranks a unit's children (考核). Every write is recorded
in a tamper-evident audit chain; ``Store.scope`` gives a handle that sees only one
subtree. Every list (a ``Page``) and report is also a frame: ``to_pandas()`` and the Arrow
C stream (``__arrow_c_stream__``), with ``labels="zh"`` for Chinese headers and the
Chinese names ``labels()`` lists.

    >>> import wangge
    >>> with wangge.Store(":memory:") as store:
    ...     _ = store.add_unit("512021", "安岳县", "county")
    ...     _ = store.add_unit("512021100", "岳阳镇", "township", parent="512021")
    ...     [u.name for u in store.children("512021")]
    ['岳阳镇']

Every error is a ``wangge.Error``: ``NotFound``, ``InvalidInput``, ``InvalidTransition``,
``Conflict``, ``PermissionDenied`` or ``StorageError`` (of which ``Busy``: another
connection held the write lock for the whole busy time; retry); its message names the
field and the value that was wrong. ``set_language("zh")`` (or ``Store(..., language="zh")``)
gives the messages in Chinese, with the same field name and value.
"""

from wangge._native import (
    Busy,
    ARCHIVE_SECTIONS,
    DEFAULT_LEVELS,
    ROLES,
    Archive,
    ArchiveSection,
    Assignment,
    AuditRecord,
    AuditVerification,
    FactProblem,
    Conflict,
    Error,
    Household,
    ImportResult,
    Page,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    Period,
    Resident,
    Staff,
    StorageError,
    Store,
    StoreInfo,
    TagKind,
    Unit,
    UnitCounts,
    DueVisit,
    Finding,
    Patrol,
    ReverificationDue,
    Visit,
    Classification,
    Entry,
    Event,
    Piles,
    Reason,
    INDICATORS,
    Circular,
    Report,
    Assessment,
    Submission,
    Checkout,
    MergeConflict,
    MergeResult,
    add_working_days,
    default_ledger_rules,
    get_language,
    set_language,
    labels,
    working_days_between,
    __version__,
)

__all__ = [
    "Busy",
    "ARCHIVE_SECTIONS",
    "DEFAULT_LEVELS",
    "ROLES",
    "Archive",
    "ArchiveSection",
    "Assignment",
    "AuditRecord",
    "AuditVerification",
    "FactProblem",
    "Conflict",
    "Error",
    "Household",
    "ImportResult",
    "Page",
    "InvalidInput",
    "InvalidTransition",
    "NotFound",
    "PermissionDenied",
    "Period",
    "Resident",
    "Staff",
    "StorageError",
    "Store",
    "StoreInfo",
    "TagKind",
    "Unit",
    "UnitCounts",
    "DueVisit",
    "Finding",
    "Patrol",
    "ReverificationDue",
    "Visit",
    "Classification",
    "Entry",
    "Event",
    "Piles",
    "Reason",
    "INDICATORS",
    "Circular",
    "Report",
    "Assessment",
    "Submission",
    "Checkout",
    "MergeConflict",
    "MergeResult",
    "add_working_days",
    "labels",
    "default_ledger_rules",
    "get_language",
    "set_language",
    "working_days_between",
    "__version__",
]


def _register_records() -> None:
    """Declares the record classes read-only mappings of their fields (they have `keys`,
    `__getitem__`, `get`, `items`, `values`, `__len__`, `__iter__` and `__contains__`),
    so that `dict(record)` and `pandas.DataFrame(records)` see one column per field."""
    import collections.abc

    for name in __all__:
        cls = globals().get(name)
        if isinstance(cls, type) and all(
            hasattr(cls, m) for m in ("keys", "__getitem__", "to_dict", "items")
        ):
            collections.abc.Mapping.register(cls)


_register_records()
