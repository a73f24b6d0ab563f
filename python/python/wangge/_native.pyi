"""Type stubs of wangge._native, the Rust extension module of wangge."""

import os
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from types import TracebackType
from typing import Any, Literal, Protocol, TypeAlias, TypedDict, TypeVar, Union, final

__all__ = [
    "__version__",
    "labels",
    "ARCHIVE_SECTIONS",
    "Archive",
    "ArchiveSection",
    "Assignment",
    "AuditRecord",
    "AuditVerification",
    "FactProblem",
    "Conflict",
    "DEFAULT_LEVELS",
    "Error",
    "Household",
    "Page",
    "ImportResult",
    "InvalidInput",
    "InvalidTransition",
    "NotFound",
    "PermissionDenied",
    "ROLES",
    "Resident",
    "Staff",
    "Busy",
    "StorageError",
    "Store",
    "StoreInfo",
    "TagKind",
    "Unit",
    "UnitCounts",
    "Visit",
    "DueVisit",
    "ReverificationDue",
    "Patrol",
    "Finding",
    "Entry",
    "Event",
    "Reason",
    "Classification",
    "Piles",
    "Period",
    "Report",
    "Circular",
    "Submission",
    "Assessment",
    "INDICATORS",
    "add_working_days",
    "working_days_between",
    "default_ledger_rules",
    "set_language",
    "get_language",
]

__version__: str
ROLES: tuple[str, ...]
"""Every staff role name, most responsible first (grid_chief, grid_worker, ...)."""
DEFAULT_LEVELS: list[tuple[str, int | None]]
"""The levels a store gets when none are given: county 6 ... building 18."""
ARCHIVE_SECTIONS: tuple[str, ...]
"""The sections of a household's archive (民生档案), in the seed's order: basic,
employment, education, health, insurance, assistance, petitions, demands."""
INDICATORS: list[tuple[str, str]]
"""Every report indicator as (key, Chinese name), in column order, the ledger's first:
("received", "受理数"), ("resolved", "办结数"), ... ("report_timeliness", "报告及时率")."""

_DateLike: TypeAlias = Union[date, datetime, str, Any]
"""A datetime.date, a datetime.datetime or pandas.Timestamp (its date is taken), a
numpy.datetime64 (its day), or text: 2025-01-05, 2025-1-5, 2025/1/5, 2025年1月5日, 20250105.
None, NaT or NaN where a date is required raises InvalidInput; for an optional as_of, None
means today but NaT or NaN raises InvalidInput."""

_UnitCode: TypeAlias = Union[str, int]
"""A unit code: text, or a whole number taken as its digits (512021 is "512021")."""

_NewUnit: TypeAlias = Union[
    Mapping[str, Union[str, date, None]],
    tuple[str, str, str],
    tuple[str, str, str, Union[str, None]],
    tuple[str, str, str, Union[str, None], Union[_DateLike, None]],
]
"""One item of Store.add_units: a dict with the keys code, name, level and optionally
parent, start, or a tuple in that order."""

_HouseholdKind: TypeAlias = Literal["registered", "floating", "rental"]
"""How a household is registered: 户籍, 流动 or 出租."""

_HouseholdClass: TypeAlias = Literal["ordinary", "special"]
"""普通户 or 特殊户, derived from the tags."""

_ImportMode: TypeAlias = Literal["all_or_nothing", "skip_invalid"]
"""What import_households does with bad rows."""

class _DataFrameLike(Protocol):
    """What import_households reads from a pandas DataFrame: its columns and records."""

    @property
    def columns(self) -> Any: ...
    def to_dict(self, orient: Literal["records"], /) -> list[Mapping[str, Any]]: ...

_ImportCell: TypeAlias = Union[str, int, float, list[str], tuple[str, ...], None]
"""One value of a row given as a dict; tag lists may be lists."""

_ImportSource: TypeAlias = Union[
    str,
    os.PathLike[str],
    bytes,
    bytearray,
    Iterable[Mapping[str, _ImportCell]],
    _DataFrameLike,
]
"""A CSV path, CSV bytes, an iterable of dicts with the CSV columns as keys, or a
DataFrame."""

_Moment: TypeAlias = Union[datetime, str]
"""A datetime.datetime, aware or naive (a naive one is a local time in the deployment's
time zone), or ISO text YYYY-MM-DDTHH:MM[:SS] with or without an offset."""

_Source: TypeAlias = Literal["visit", "hotline", "walk_in", "online", "patrol", "letter"]
"""Where a ledger entry came from."""

_Triage: TypeAlias = Literal["on_site", "coordinate", "escalate"]
"""How an entry is handled (分类处理): by the grid, with the community, by the township."""

_Status: TypeAlias = Literal[
    "registered", "signed_for", "in_progress", "suspended", "resolved", "closed"
]
"""Where an entry stands in its workflow."""

_Standing: TypeAlias = Literal["resolved", "pending", "hard"]
"""The weekly meeting's three piles (已解决/待解决/难解决)."""

_Action: TypeAlias = Literal[
    "register",
    "sign_for",
    "start",
    "escalate",
    "return",
    "mark_hard",
    "suspend",
    "resume",
    "extend",
    "resolve",
    "verify",
    "close",
    "reopen",
]
"""What an entry's event did."""

_HandlerKind: TypeAlias = Literal["unit", "department"]
"""Whether a handler is a unit of the tree (by code) or a named department."""

_EntryAction: TypeAlias = Mapping[str, Union[str, int, bool, datetime, None]]
"""One action of Store.work_entries: a dict with the keys entry_id, action (any _Action
but "register"), at and, as the action needs them, staff_id, note, to, days, satisfied."""

_NewEntry: TypeAlias = Mapping[str, Union[str, int, bool, datetime, None]]
"""One entry of Store.register_entries: a dict with the keys unit, summary, reported_at
and optionally category, household_id, resident_id, source, urgent, finding_id."""

_PeriodKind: TypeAlias = Literal["day", "week", "month", "quarter", "half_year", "year"]
"""The kinds of calendar period (the plurals, such as "weeks", are accepted too)."""

_Labels: TypeAlias = Literal["en", "zh"]
"""The names a frame's columns and values carry: English keys or Chinese."""

_S = TypeVar("_S", bound="Store")
_T = TypeVar("_T")

def labels() -> dict[str, dict[str, str]]:
    """The Chinese labels frames and exports use, by table (columns, levels, statuses,
    channels, kinds, relations...): each a new dict, stored name to Chinese."""

def add_working_days(date: _DateLike, n: int) -> date:
    """The n-th working day after date (not counted) in the official calendar (public
    holidays and 调休 make-up days); raises NotFound for a year it does not cover."""

def working_days_between(a: _DateLike, b: _DateLike) -> int:
    """The working days in (a, b] in the official calendar; negative when b is before a."""

def default_ledger_rules() -> dict[str, Any]:
    """The default ledger classification rules, in the shape Store.set_ledger_rules reads."""

def set_language(language: Literal["en", "zh"]) -> None:
    """Sets the language of error messages ("en" or "zh") for stores opened afterwards
    without language= and for errors raised without a store; the class, field and value
    are the same in both."""

def get_language() -> Literal["en", "zh"]:
    """The module's language of error messages, "en" (the default) or "zh"."""

class Error(Exception):
    """The base class of every error wangge raises."""

class NotFound(Error):
    """A unit, staff member or other record named by the caller does not exist."""

class InvalidInput(Error):
    """An argument is malformed or out of range; the message names the field and value."""

class InvalidTransition(Error):
    """A workflow action is not allowed in the record's current state."""

class Conflict(Error):
    """The request contradicts what is stored (a duplicate code, other levels...)."""

class PermissionDenied(Error):
    """The handle's scope does not cover the unit the request touches."""

class StorageError(Error):
    """SQLite failed, the file is not a wangge store, or the store is closed."""

class Busy(StorageError):
    """Another connection held the store's write lock for the whole busy time
    (busy_timeout_ms): nothing was written; the call may be retried."""

class Page(list[_T]):
    """One page of a long list (due visits, households, findings, entries): a list of its
    items with next, the cursor to pass as after for the next page; None on the last page
    and when the whole list was asked for. A page asked for with limit or after is in the
    list's page order (by household and rule for due lists, by id otherwise)."""

    next: str | None
    def __init__(
        self, items: Iterable[_T] = (), next: str | None = None, _rows: Any = None
    ) -> None: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The items as an Arrow C stream (PyCapsule), English column names."""
    def to_arrow(self, labels: _Labels = "en") -> Any:
        """The items as a pyarrow.Table; raises ImportError without pyarrow."""
    def to_pandas(self, labels: _Labels = "en") -> Any:
        """The items as a pandas DataFrame, one column per field: dates as datetime64,
        rates as X, X_num, X_den; labels="zh" for Chinese headers and value names.
        Raises InvalidInput for other labels, ImportError without pandas or pyarrow."""

@final
class Unit:
    """A node of the territory tree as it stood on some date (网格/单元)."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def start(self) -> date | None: ...
    @property
    def end(self) -> date | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Staff:
    """A staff member (网格员 and the other roles); the phone is masked."""

    @property
    def staff_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def phone(self) -> str | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Assignment:
    """A staff member's role on a unit over a stretch of days, both ends inclusive."""

    @property
    def id(self) -> int: ...
    @property
    def staff_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def start(self) -> date | None: ...
    @property
    def end(self) -> date | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class AuditRecord:
    """One record of the audit chain: who did what to which record, and when."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def hash(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class StoreInfo:
    """What a store is: Store.info()."""

    @property
    def path(self) -> str: ...
    @property
    def keyed(self) -> bool: ...
    @property
    def library_version(self) -> str: ...
    @property
    def sqlite_version(self) -> str: ...
    @property
    def abi_version(self) -> int: ...
    @property
    def schema_version(self) -> int: ...
    @property
    def library_schema_version(self) -> int: ...
    @property
    def application_id(self) -> int: ...
    @property
    def read_only(self) -> bool: ...
    @property
    def busy_timeout_ms(self) -> int: ...
    @property
    def levels(self) -> list[tuple[str, int | None]]: ...
    @property
    def utc_offset_minutes(self) -> int: ...
    @property
    def actor(self) -> str: ...
    @property
    def scope(self) -> str | None: ...
    @property
    def language(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

class AuditVerification:
    """The outcome of Store.verify_audit(); true when the chain is intact and every fact
    is as the library wrote it."""

    @property
    def ok(self) -> bool: ...
    @property
    def records(self) -> int: ...
    @property
    def first_bad(self) -> int | None: ...
    @property
    def problem(self) -> str | None: ...
    @property
    def problems(self) -> list[FactProblem]: ...
    @property
    def problems_total(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __bool__(self) -> bool: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class FactProblem:
    """A fact found changed outside the library: table, row and problem."""

    @property
    def table(self) -> str: ...
    @property
    def row(self) -> str: ...
    @property
    def problem(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Household:
    """A household (户) as it stood on some date."""

    @property
    def household_id(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def kind(self) -> _HouseholdKind: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def household_class(self) -> _HouseholdClass: ...
    @property
    def start(self) -> date | None: ...
    @property
    def end(self) -> date | None: ...
    @property
    def verified(self) -> date | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Resident:
    """A resident (居民) as they stood on some date; ID number and phone masked."""

    @property
    def resident_id(self) -> int: ...
    @property
    def household_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def id_number(self) -> str | None: ...
    @property
    def id_upgraded(self) -> bool: ...
    @property
    def sex(self) -> Literal["male", "female"] | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def hukou(self) -> str | None: ...
    @property
    def employer(self) -> str | None: ...
    @property
    def relation(self) -> str: ...
    @property
    def tags(self) -> list[str]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class TagKind:
    """A tag kind the store knows, and whether it makes a household special."""

    @property
    def tag(self) -> str: ...
    @property
    def special(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Visit:
    """A recorded contact with a household (走访)."""

    @property
    def visit_id(self) -> int: ...
    @property
    def household_id(self) -> str: ...
    @property
    def staff_id(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def on(self) -> date: ...
    @property
    def note(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class DueVisit:
    """A household that still needs a contact under one visit rule."""

    @property
    def household_id(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def due(self) -> date: ...
    @property
    def overdue(self) -> bool: ...
    @property
    def last_visit(self) -> date | None: ...
    @property
    def grid(self) -> str | None: ...
    @property
    def grid_name(self) -> str | None: ...
    @property
    def address(self) -> str: ...
    @property
    def responsible(self) -> list[dict[str, str]]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ReverificationDue:
    """A household whose archive is due for re-verification (数据更新)."""

    @property
    def household_id(self) -> str: ...
    @property
    def due(self) -> date: ...
    @property
    def overdue(self) -> bool: ...
    @property
    def verified(self) -> date | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Patrol:
    """A recorded patrol (巡查) of a unit. `at` is an aware datetime with the offset it was
    given in; `on` its civil date in the deployment's time zone, the day rules count."""

    @property
    def id(self) -> int: ...
    @property
    def unit(self) -> str: ...
    @property
    def staff_id(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def on(self) -> date: ...
    @property
    def note(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Finding:
    """Something a visit found, open (`entry_id` None) until a ledger entry takes it up."""

    @property
    def id(self) -> int: ...
    @property
    def visit_id(self) -> int: ...
    @property
    def household_id(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def on(self) -> date: ...
    @property
    def summary(self) -> str: ...
    @property
    def category(self) -> str | None: ...
    @property
    def urgent(self) -> bool: ...
    @property
    def entry_id(self) -> int | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class UnitCounts:
    """Registry counts for one unit on one day."""

    @property
    def unit(self) -> str: ...
    @property
    def households(self) -> int: ...
    @property
    def special_households(self) -> int: ...
    @property
    def residents(self) -> int: ...
    @property
    def floating(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ArchiveSection:
    """One version of one section of a household's archive (民生档案)."""

    @property
    def section(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def at(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def content(self) -> dict[str, Any]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Archive:
    """A household's archive as it stood at some moment."""

    @property
    def household_id(self) -> str: ...
    @property
    def sections(self) -> dict[str, ArchiveSection]: ...
    @property
    def verified(self) -> date | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ImportResult:
    """What Store.import_households did; bad rows are listed in errors, never raised."""

    @property
    def inserted(self) -> int: ...
    @property
    def updated(self) -> int: ...
    @property
    def households_inserted(self) -> int: ...
    @property
    def households_updated(self) -> int: ...
    @property
    def residents_inserted(self) -> int: ...
    @property
    def residents_updated(self) -> int: ...
    @property
    def unknown_columns(self) -> list[str]: ...
    @property
    def errors(self) -> list[tuple[int, str, str]]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Entry:
    """A ledger entry (台账/诉求) as it stands, or stood at the moment a query asked
    about. Moments are aware datetimes in the deployment's offset."""

    @property
    def id(self) -> int: ...
    @property
    def unit(self) -> str: ...
    @property
    def household_id(self) -> str | None: ...
    @property
    def resident_id(self) -> int | None: ...
    @property
    def source(self) -> _Source: ...
    @property
    def reported_at(self) -> datetime: ...
    @property
    def category(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def urgent(self) -> bool: ...
    @property
    def books(self) -> list[str]: ...
    @property
    def triage(self) -> _Triage: ...
    @property
    def time_limit(self) -> dict[str, int]: ...
    @property
    def finding_id(self) -> int | None: ...
    @property
    def status(self) -> _Status: ...
    @property
    def standing(self) -> _Standing: ...
    @property
    def hard(self) -> bool: ...
    @property
    def handler(self) -> str: ...
    @property
    def handler_kind(self) -> _HandlerKind: ...
    @property
    def deadline(self) -> datetime: ...
    @property
    def sign_due(self) -> datetime | None: ...
    @property
    def suspended_since(self) -> datetime | None: ...
    @property
    def rework(self) -> int: ...
    @property
    def signed_at(self) -> datetime | None: ...
    @property
    def first_resolved_at(self) -> datetime | None: ...
    @property
    def resolved_at(self) -> datetime | None: ...
    @property
    def closed_at(self) -> datetime | None: ...
    @property
    def verified(self) -> bool | None: ...
    def overdue_at(self, at: _Moment) -> bool: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Event:
    """One change to a ledger entry, appended to its history and never changed."""

    @property
    def entry_id(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def action(self) -> _Action: ...
    @property
    def actor(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def note(self) -> str: ...
    @property
    def auto(self) -> bool: ...
    @property
    def days(self) -> int | None: ...
    @property
    def satisfied(self) -> bool | None: ...
    @property
    def status(self) -> _Status: ...
    @property
    def handler(self) -> str: ...
    @property
    def handler_kind(self) -> _HandlerKind: ...
    @property
    def deadline(self) -> datetime: ...
    @property
    def hard(self) -> bool: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Reason:
    """One step of a classification: which rule matched what, and what it decided."""

    @property
    def rule(self) -> str: ...
    @property
    def matched(self) -> str: ...
    @property
    def effect(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Classification:
    """What the ledger rules make of an entry (a dry run of Store.register), and why."""

    @property
    def category(self) -> str: ...
    @property
    def suggested_category(self) -> str | None: ...
    @property
    def ties(self) -> list[str]: ...
    @property
    def books(self) -> list[str]: ...
    @property
    def triage(self) -> _Triage: ...
    @property
    def urgent(self) -> bool: ...
    @property
    def time_limit(self) -> dict[str, int]: ...
    @property
    def sign_for_limit(self) -> dict[str, int]: ...
    @property
    def handler(self) -> str | None: ...
    @property
    def handler_kind(self) -> _HandlerKind | None: ...
    @property
    def rules_from(self) -> date | None: ...
    @property
    def reasons(self) -> list[Reason]: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Piles:
    """The weekly meeting's three piles (已解决/待解决/难解决) for a unit and a period,
    taken as of the period's last moment."""

    @property
    def unit(self) -> str: ...
    @property
    def period(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def resolved(self) -> list[Entry]: ...
    @property
    def pending(self) -> list[Entry]: ...
    @property
    def hard(self) -> list[Entry]: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Period:
    """A calendar period: a day 2024-03-17, an ISO week 2024-W11 (Monday first), a month
    2024-03, a quarter 2024-Q1, a half year 2024-H1 or a year 2024. A week belongs to the
    month, quarter, half year and year holding its Thursday (4 or more of its days), so
    every week belongs to exactly one of each: 2025-W01 (2024-12-30..2025-01-05) is
    January 2025's. Periods print as their text, compare equal when they are the same
    period, sort by first day and then by kind (shorter first), hash and pickle."""

    def __new__(cls, text: str) -> "Period": ...
    @staticmethod
    def parse(text: str) -> "Period":
        """The period written text; other text raises InvalidInput naming it."""
    @staticmethod
    def containing(kind: _PeriodKind, date: _DateLike) -> "Period":
        """The period of kind that contains date (the week of 2024-12-30 is 2025-W01)."""
    @property
    def kind(self) -> _PeriodKind: ...
    @property
    def first(self) -> date: ...
    @property
    def last(self) -> date: ...
    @property
    def days(self) -> int: ...
    def contains(self, date: _DateLike) -> bool: ...
    def next(self) -> "Period": ...
    def previous(self) -> "Period": ...
    def inside(self, kind: _PeriodKind) -> list["Period"]:
        """The periods of kind that make up this one, in order; for weeks, those that
        belong to it (2024-03 holds 2024-W10..2024-W13); only periods in the years 0001
        to 9999 (9999-12 ends with 9999-W51). A kind the period is not made of raises
        InvalidInput naming kind."""
    def belongs_to(self, kind: _PeriodKind) -> "Period":
        """The period of kind this one belongs to (a week: the one holding its
        Thursday). A shorter kind raises InvalidInput naming kind; belonging to a
        period with days outside the years 0001 to 9999 (9999-12-31 to the week
        9999-W52) raises InvalidInput naming period."""
    def __reduce__(self) -> tuple[Callable[[str], "Period"], tuple[str]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __lt__(self, other: "Period", /) -> bool: ...
    def __le__(self, other: "Period", /) -> bool: ...
    def __gt__(self, other: "Period", /) -> bool: ...
    def __ge__(self, other: "Period", /) -> bool: ...

_PeriodLike: TypeAlias = Union[Period, str, Any]
"""A wangge.Period; its text: 2024-03-17, 2024-W11, 2024-03, 2024-Q1, 2024-H1, 2024, or
another usual form: 2024Q1, 2024年第1季度, 2024年一季度, 2024年3月, 2024-3, 2024/3/17...;
or a pandas.Period of frequency D, W-SUN, M, Q-DEC or Y-DEC."""

_Indicator: TypeAlias = Literal[
    "received",
    "resolved",
    "closed",
    "closure_rate",
    "due_closure_rate",
    "timely_rate",
    "sign_for_rate",
    "timely_sign_for_rate",
    "pending",
    "hard",
    "overdue",
    "visits_home",
    "visits_phone",
    "home_coverage",
    "rule_compliance",
    "households",
    "special_households",
    "residents",
    "floating",
    "report_completeness",
    "report_timeliness",
]
"""The keys of INDICATORS."""

class _Rate(TypedDict):
    """A rate with its parts; value is None when den is 0."""

    num: int
    den: int
    value: float | None

class _Ranked(TypedDict):
    """A ranked unit of a circular; for a count, num and den are the count."""

    unit: str
    name: str
    value: float
    num: int
    den: int
    rank: int

class _LeftOut(TypedDict):
    """A unit a circular leaves out, with its sample and the reason."""

    unit: str
    name: str
    den: int
    reason: str

@final
class Report:
    """A unit's indicators over a period (报告): the totals of its whole subtree, one row
    per direct child plus the own row, which add up to the totals, and the ledger's
    indicators per category and per ledger book. Counts are ints, rates _Rate dicts."""

    @property
    def unit(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def period(self) -> str: ...
    @property
    def totals(self) -> dict[str, int | _Rate]: ...
    @property
    def rows(self) -> list[dict[str, Any]]:
        """One dict per direct child, by code, then the own row ("own": True): unit,
        name, level, own and every indicator."""
    @property
    def by_category(self) -> list[dict[str, Any]]: ...
    @property
    def by_book(self) -> list[dict[str, Any]]: ...
    def to_json(self) -> str:
        """The JSON text the C API's wg_report returns."""
    def to_dict(self) -> dict[str, Any]: ...
    def to_csv(self) -> str:
        """The main table as CSV, starting with a byte-order mark, Chinese headers."""
    def to_xlsx(self, path: str | os.PathLike[str] | None = None) -> bytes:
        """The workbook's bytes, also written to path when given."""
    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """One self-contained HTML page: the children's 办结率 chart (inline SVG, the
        left-out greyed with the reason) and the tables; also written to path when given."""
    def _repr_html_(self) -> str:
        """The page of to_html(), for Jupyter."""
    def to_pandas(self, labels: _Labels = "en") -> Any:
        """The rows as a pandas DataFrame (rates as values plus <key>_num, <key>_den);
        labels="zh" for Chinese headers; raises ImportError without pandas."""
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The rows of to_pandas() as an Arrow C stream (PyCapsule)."""

@final
class Circular:
    """The direct children of a unit ranked on one indicator over a period (通报)."""

    @property
    def unit(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def period(self) -> str: ...
    @property
    def indicator(self) -> _Indicator: ...
    @property
    def indicator_name(self) -> str: ...
    @property
    def lower_is_better(self) -> bool: ...
    @property
    def min_sample(self) -> int: ...
    @property
    def ranked(self) -> list[_Ranked]: ...
    @property
    def left_out(self) -> list[_LeftOut]: ...
    def to_json(self) -> str:
        """The JSON text the C API's wg_circular returns."""
    def to_dict(self) -> dict[str, Any]: ...
    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """One self-contained HTML page: the ranking as a bar chart (inline SVG, the
        left-out greyed with the reason) and the table; also written to path when given."""
    def _repr_html_(self) -> str:
        """The page of to_html(), for Jupyter."""
    def to_pandas(self, labels: _Labels = "en") -> Any:
        """The ranked children best first, then the left-out ones, as a pandas DataFrame
        (unit, name, value, num, den, rank, reason); labels="zh" for Chinese headers."""
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The rows of to_pandas() as an Arrow C stream (PyCapsule)."""

class _ReportingRule(TypedDict):
    """A level's duty to report: every period of a kind, due some working days after."""

    level: str
    every: Literal["day", "week", "month", "quarter", "half_year", "year"]
    due_working_days: int

class _AssessmentItem(TypedDict):
    """One weighted target of an assessment: a rate indicator, its weight and target."""

    indicator: _Indicator
    weight: float
    target: float

class _AssessmentRules(TypedDict):
    """The assessment's items and the sample a rate needs to be scored."""

    items: list[_AssessmentItem]
    min_sample: int

class _ItemScore(TypedDict):
    """One item of a unit's score; points is None when the sample is too small."""

    indicator: _Indicator
    num: int
    den: int
    value: float | None
    points: float | None

class _UnitScore(TypedDict):
    """One assessed unit: score out of 100 and rank, None when nothing was scored."""

    unit: str
    name: str
    score: float | None
    rank: int | None
    items: list[_ItemScore]

@final
class Submission:
    """A unit's report for one period of its cadence (报告制度): missing, submitted
    (sealed with its time and author) or approved by the level above, which locks the
    unit's subtree for the period."""

    @property
    def unit(self) -> str: ...
    @property
    def period(self) -> str: ...
    @property
    def due(self) -> datetime: ...
    @property
    def status(self) -> Literal["missing", "submitted", "approved"]: ...
    @property
    def versions(self) -> int: ...
    @property
    def first_submitted_at(self) -> datetime | None: ...
    @property
    def submitted_at(self) -> datetime | None: ...
    @property
    def author(self) -> str | None: ...
    @property
    def on_time(self) -> bool: ...
    @property
    def approved_at(self) -> datetime | None: ...
    @property
    def approver(self) -> str | None: ...
    @property
    def audit_head(self) -> dict[str, Any] | None: ...
    @property
    def report(self) -> dict[str, Any] | None:
        """The latest version's report as sealed (Report.to_dict()'s shape), or None."""
    def to_json(self) -> str:
        """The JSON text the C API's wg_submission returns."""

@final
class Assessment:
    """The assessment (考核) of a unit's direct children over a period: each scored out
    of 100 on weighted targets, and ranked."""

    @property
    def unit(self) -> str: ...
    @property
    def period(self) -> str: ...
    @property
    def rules(self) -> _AssessmentRules: ...
    @property
    def rows(self) -> list[_UnitScore]: ...
    def to_json(self) -> str:
        """The JSON text the C API's wg_assessment returns."""
    def to_dict(self) -> dict[str, Any]: ...
    def to_pandas(self, labels: _Labels = "en") -> Any:
        """The rows (unit, name, score, rank) as a pandas DataFrame; labels="zh" for
        Chinese headers; raises ImportError without pandas."""
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The rows of to_pandas() as an Arrow C stream (PyCapsule)."""

@final
class Store:
    """A handle on one deployment's store (one SQLite file, or ":memory:")."""

    def __new__(
        cls,
        path: str | os.PathLike[str],
        levels: Iterable[tuple[str, int | None]] | None = None,
        actor: str = "system",
        utc_offset_minutes: int | None = None,
        read_only: bool = False,
        key: bytes | None = None,
        busy_timeout_ms: int | None = None,
        language: Literal["en", "zh"] | None = None,
    ) -> "Store": ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    def __enter__(self: _S) -> _S: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
        /,
    ) -> bool: ...
    @property
    def actor(self) -> str: ...
    @property
    def scope_root(self) -> str | None: ...
    @property
    def levels(self) -> list[tuple[str, int | None]]: ...
    def today(self) -> date: ...
    def add_unit(
        self,
        code: _UnitCode,
        name: str,
        level: str,
        parent: _UnitCode | None = None,
        start: _DateLike | None = None,
    ) -> Unit: ...
    def add_units(self, units: Iterable[_NewUnit]) -> int: ...
    def unit(self, code: _UnitCode, as_of: _DateLike | None = None) -> Unit: ...
    def children(self, code: _UnitCode, as_of: _DateLike | None = None) -> list[Unit]: ...
    def descendants(
        self, code: _UnitCode, level: str | None = None, as_of: _DateLike | None = None
    ) -> list[Unit]: ...
    def ancestors(self, code: _UnitCode, as_of: _DateLike | None = None) -> list[Unit]: ...
    def move_unit(self, code: _UnitCode, new_parent: _UnitCode, on: _DateLike) -> Unit: ...
    def retire_unit(self, code: _UnitCode, on: _DateLike) -> Unit: ...
    def add_staff(self, staff_id: str, name: str, phone: str | None = None) -> Staff: ...
    def staff(self, staff_id: str) -> Staff: ...
    def staff_phone(self, staff_id: str) -> str | None: ...
    def assign(
        self,
        staff_id: str,
        unit: _UnitCode,
        role: str,
        start: _DateLike | None = None,
        end: _DateLike | None = None,
    ) -> Assignment: ...
    def end_assignment(self, assignment_id: int, end: _DateLike) -> None: ...
    def assignments(
        self, unit: _UnitCode, as_of: _DateLike | None = None, *, on: _DateLike | None = None
    ) -> list[Assignment]:
        """`on` is the old name of `as_of` (DeprecationWarning)."""
    def responsible(
        self, unit: _UnitCode, as_of: _DateLike | None = None, *, on: _DateLike | None = None
    ) -> list[Assignment]:
        """`on` is the old name of `as_of` (DeprecationWarning)."""
    def scope(self, code: _UnitCode, actor: str) -> "Store": ...
    def rekey(self, new_key: bytes) -> None: ...
    def info(self) -> StoreInfo: ...
    def verify_audit(
        self, since: dict[str, Any] | str | None = None, *, progress: Callable[[int, int], object] | None = None
    ) -> AuditVerification: ...
    def audit_head(self) -> dict[str, Any]: ...
    def audit_log(self, after: int = 0, limit: int = 1000) -> list[AuditRecord]: ...
    def add_household(
        self,
        household_id: str,
        unit: _UnitCode,
        address: str,
        kind: _HouseholdKind = "registered",
        tags: Iterable[str] | None = None,
        start: _DateLike | None = None,
    ) -> Household: ...
    def move_household(self, household_id: str, unit: _UnitCode, on: _DateLike) -> Household: ...
    def end_household(self, household_id: str, on: _DateLike) -> None: ...
    def household(self, household_id: str, as_of: _DateLike | None = None) -> Household: ...
    def households(
        self,
        unit: _UnitCode,
        as_of: _DateLike | None = None,
        household_class: _HouseholdClass | None = None,
        tag: str | None = None,
        kind: _HouseholdKind | None = None,
        *,
        limit: int | None = None,
        after: str | None = None,
    ) -> Page[Household]: ...
    def household_class(
        self, household_id: str, as_of: _DateLike | None = None, *, on: _DateLike | None = None
    ) -> _HouseholdClass:
        """`on` is the old name of `as_of` (DeprecationWarning)."""
    def tag(
        self,
        household_id: str,
        tag: str,
        start: _DateLike | None = None,
        end: _DateLike | None = None,
    ) -> None: ...
    def tag_household(
        self,
        household_id: str,
        tag: str,
        start: _DateLike | None = None,
        end: _DateLike | None = None,
    ) -> None: ...
    def untag(self, household_id: str, tag: str, on: _DateLike) -> None: ...
    def untag_household(self, household_id: str, tag: str, on: _DateLike) -> None: ...
    def tag_resident(
        self,
        resident_id: int,
        tag: str,
        start: _DateLike | None = None,
        end: _DateLike | None = None,
    ) -> None: ...
    def untag_resident(self, resident_id: int, tag: str, on: _DateLike) -> None: ...
    def define_tag(self, tag: str, special: bool) -> None: ...
    def tag_kinds(self) -> list[TagKind]: ...
    def add_resident(
        self,
        household_id: str,
        name: str,
        id_number: str | None = None,
        phone: str | None = None,
        hukou: str | None = None,
        employer: str | None = None,
        relation: str = "head",
        tags: Iterable[str] | None = None,
        start: _DateLike | None = None,
    ) -> Resident: ...
    def move_resident(
        self, resident_id: int, household_id: str, relation: str, on: _DateLike
    ) -> Resident: ...
    def resident(self, resident_id: int, as_of: _DateLike | None = None) -> Resident: ...
    def residents(
        self, household_id: str, as_of: _DateLike | None = None
    ) -> Page[Resident]: ...
    def resident_clear(self, resident_id: int) -> tuple[str | None, str | None]: ...
    def unit_counts(
        self, unit: _UnitCode, as_of: _DateLike | None = None
    ) -> tuple[UnitCounts, list[UnitCounts]]: ...
    def set_visit_rules(
        self, rules: list[dict[str, Any]] | str, start: _DateLike | None = None
    ) -> None: ...
    def visit_rules(self, as_of: _DateLike | None = None) -> list[dict[str, Any]]: ...
    def record_visit(
        self, household_id: str, staff_id: str, channel: str, on: _DateLike, note: str = ""
    ) -> Visit: ...
    def record_visits(
        self,
        visits: Iterable[
            Mapping[str, Any]
            | tuple[str, str, str, _DateLike]
            | tuple[str, str, str, _DateLike, str]
        ],
    ) -> list[int]: ...
    def visits(self, household_id: str) -> list[Visit]: ...
    def due_visits(
        self,
        unit: _UnitCode,
        as_of: _DateLike | None = None,
        *,
        limit: int | None = None,
        after: str | None = None,
        progress: Callable[[int, int], object] | None = None,
    ) -> Page[DueVisit]: ...
    def due_visits_for_staff(
        self,
        staff_id: str,
        as_of: _DateLike | None = None,
        *,
        limit: int | None = None,
        after: str | None = None,
        progress: Callable[[int, int], object] | None = None,
    ) -> Page[DueVisit]: ...
    def visit_compliance(
        self,
        unit: _UnitCode,
        period: _PeriodLike,
        detail: bool = False,
        *,
        progress: Callable[[int, int], object] | None = None,
    ) -> dict[str, Any]: ...
    def reverification_due(
        self, unit: _UnitCode, as_of: _DateLike | None = None
    ) -> list[ReverificationDue]: ...
    def set_quota_rules(
        self, rules: list[dict[str, Any]] | str, start: _DateLike | None = None
    ) -> None: ...
    def quota_rules(self, as_of: _DateLike | None = None) -> list[dict[str, Any]]: ...
    def quota_compliance(
        self,
        unit: _UnitCode,
        period: _PeriodLike,
        detail: bool = False,
        *,
        progress: Callable[[int, int], object] | None = None,
    ) -> dict[str, Any]: ...
    def set_patrol_rules(
        self, rules: list[dict[str, Any]] | str, start: _DateLike | None = None
    ) -> None: ...
    def patrol_rules(self, as_of: _DateLike | None = None) -> list[dict[str, Any]]: ...
    def record_patrol(
        self, unit: _UnitCode, staff_id: str, at: datetime | str, note: str = ""
    ) -> Patrol: ...
    def patrols(self, unit: _UnitCode, period: _PeriodLike) -> Page[Patrol]: ...
    def patrol_compliance(
        self,
        unit: _UnitCode,
        period: _PeriodLike,
        detail: bool = False,
        *,
        progress: Callable[[int, int], object] | None = None,
    ) -> dict[str, Any]: ...
    def record_finding(
        self, visit_id: int, summary: str, category: str | None = None, urgent: bool = False
    ) -> Finding: ...
    def findings(
        self,
        unit: _UnitCode,
        open_only: bool = False,
        *,
        limit: int | None = None,
        after: str | None = None,
    ) -> Page[Finding]: ...
    def set_archive_section(
        self, household_id: str, section: str, content: dict[str, Any]
    ) -> ArchiveSection: ...
    def archive(self, household_id: str, at: str | date | datetime | None = None) -> Archive: ...
    def archive_history(self, household_id: str, section: str) -> list[ArchiveSection]: ...
    def verify_archive(self, household_id: str, on: _DateLike) -> None: ...
    def import_households(
        self,
        path_or_rows: _ImportSource,
        mode: _ImportMode = "all_or_nothing",
        on: _DateLike | None = None,
        encoding: str | None = None,
        progress: Callable[[int, int], object] | None = None,
        columns: Mapping[str, str] | None = None,
        header_row: int | None = None,
    ) -> ImportResult: ...
    def set_ledger_rules(
        self, rules: Mapping[str, Any] | str, start: _DateLike | None = None
    ) -> None: ...
    def ledger_rules(self, as_of: _DateLike | None = None) -> dict[str, Any]: ...
    def classify(
        self,
        category: str | None = None,
        summary: str = "",
        household_id: str | None = None,
        unit: _UnitCode | None = None,
        urgent: bool = False,
        at: _Moment | None = None,
    ) -> Classification: ...
    def register(
        self,
        unit: _UnitCode,
        category: str | None,
        summary: str,
        reported_at: _Moment,
        household_id: str | None = None,
        source: _Source = "visit",
        *,
        resident_id: int | None = None,
        urgent: bool = False,
        finding_id: int | None = None,
    ) -> Entry: ...
    def register_entries(self, entries: Iterable[_NewEntry] | str) -> list[int]: ...
    def register_finding(
        self, finding_id: int, reported_at: _Moment, category: str | None = None
    ) -> Entry: ...
    def sign_for(self, entry_id: int, staff_id: str, at: _Moment) -> Entry: ...
    def start(self, entry_id: int, staff_id: str, at: _Moment) -> Entry: ...
    def escalate(
        self, entry_id: int, at: _Moment, reason: str, to: str | None = None
    ) -> Entry: ...
    def return_(self, entry_id: int, at: _Moment, reason: str) -> Entry: ...
    def mark_hard(self, entry_id: int, at: _Moment, reason: str) -> Entry: ...
    def suspend(self, entry_id: int, at: _Moment, reason: str) -> Entry: ...
    def resume(self, entry_id: int, at: _Moment) -> Entry: ...
    def extend(self, entry_id: int, at: _Moment, days: int, reason: str) -> Entry: ...
    def resolve(self, entry_id: int, at: _Moment, result: str) -> Entry: ...
    def verify(
        self, entry_id: int, at: _Moment, satisfied: bool, note: str = ""
    ) -> Entry: ...
    def close_entry(self, entry_id: int, at: _Moment) -> Entry: ...
    def reopen(self, entry_id: int, at: _Moment, reason: str) -> Entry: ...
    def work_entries(self, actions: Iterable[_EntryAction] | str) -> int: ...
    def tick(self, now: _Moment) -> list[Event]: ...
    def entry(self, entry_id: int) -> Entry: ...
    def history(self, entry_id: int) -> list[Event]: ...
    def entries(
        self,
        unit: _UnitCode,
        at: _Moment | None = None,
        standing: _Standing | None = None,
        status: _Status | None = None,
        book: str | None = None,
        category: str | None = None,
        period: _PeriodLike | None = None,
        overdue: bool | None = None,
        *,
        limit: int | None = None,
        after: str | None = None,
    ) -> Page[Entry]: ...
    def piles(self, unit: _UnitCode, period: _PeriodLike) -> Piles: ...
    def report(
        self, unit: _UnitCode, period: _PeriodLike, *, progress: Callable[[int, int], object] | None = None
    ) -> Report: ...
    def circular(
        self,
        unit: _UnitCode,
        period: _PeriodLike,
        indicator: _Indicator,
        min_sample: int = 5,
        *,
        progress: Callable[[int, int], object] | None = None,
    ) -> Circular: ...
    def set_reporting_rules(
        self, rules: Iterable[Mapping[str, Any]] | str, start: _DateLike | None = None
    ) -> None: ...
    def reporting_rules(self, as_of: _DateLike | None = None) -> list[_ReportingRule]: ...
    def submit(self, unit: _UnitCode, period: _PeriodLike, at: _Moment) -> Submission: ...
    def approve(self, unit: _UnitCode, period: _PeriodLike, at: _Moment) -> Submission: ...
    def submission(self, unit: _UnitCode, period: _PeriodLike) -> Submission: ...
    def submissions(self, unit: _UnitCode, period: _PeriodLike) -> list[Submission]: ...
    def set_assessment_rules(
        self, rules: Mapping[str, Any] | str, start: _DateLike | None = None
    ) -> None: ...
    def assessment_rules(self, as_of: _DateLike | None = None) -> _AssessmentRules: ...
    def assessment(
        self, unit: _UnitCode, period: _PeriodLike, *, progress: Callable[[int, int], object] | None = None
    ) -> Assessment: ...
    def add_working_days(self, date: _DateLike, n: int) -> date: ...
    def working_days_between(self, a: _DateLike, b: _DateLike) -> int: ...
    def load_calendar(
        self, path: str | os.PathLike[str] | None = None, *, text: str | None = None
    ) -> list[int]: ...
    def calendar_years(self) -> list[int]: ...
