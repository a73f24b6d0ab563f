//! The store handle: opening, scoping, freeing, errors and the audit chain.

use std::ffi::c_char;
use std::sync::{Mutex, PoisonError};

use crate::error::{FfiError, LastErrors, last};
use crate::out::OutString;
use crate::panic::{boundary, release};
use crate::progress::CallerProgress;
use crate::wg_status;

/// An open store, or a scoped view of one (see `wg_store_scope`). Opaque to C.
///
/// A handle may be used from several threads; calls on one store take turns. Each handle
/// keeps, for each thread, the message of that thread's last failed call through it
/// (`wg_last_error`), until the handle is freed.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct wg_store {
    pub(crate) store: wangge::Store,
    pub(crate) last_errors: LastErrors,
    /// The progress callback of the calls on this handle (`wg_store_set_progress`).
    pub(crate) progress: Mutex<Option<CallerProgress>>,
}

impl wg_store {
    fn boxed(store: wangge::Store) -> *mut wg_store {
        Box::into_raw(Box::new(wg_store {
            store,
            last_errors: LastErrors::default(),
            progress: Mutex::new(None),
        }))
    }

    /// The progress callback set on this handle, if any.
    fn caller_progress(&self) -> Option<CallerProgress> {
        *self.progress.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The handle behind a pointer, or the error a NULL handle gets.
pub(crate) fn need_handle(handle: Option<&wg_store>) -> Result<&wg_store, FfiError> {
    handle.ok_or_else(|| FfiError::invalid("invalid store: NULL where a store handle is required"))
}

/// The store behind a pointer, or the error a NULL handle gets.
pub(crate) fn need(handle: Option<&wg_store>) -> Result<&wangge::Store, FfiError> {
    need_handle(handle).map(|h| &h.store)
}

/// Runs `body` on the handle behind `ptr` inside the panic boundary, without its progress
/// callback: a NULL handle is `WG_INVALID_INPUT`, an error or a panic becomes the status
/// and the handle's last error.
pub(crate) fn with_handle(
    ptr: *const wg_store,
    body: impl FnOnce(&wg_store) -> Result<(), FfiError>,
) -> wg_status {
    // SAFETY: every exported function asks for NULL or a live handle.
    let handle = unsafe { ptr.as_ref() };
    boundary(handle, || body(need_handle(handle)?))
}

/// Runs `body` on the store behind `ptr` inside the panic boundary, reporting to the
/// handle's progress callback if it has one: a NULL handle is `WG_INVALID_INPUT`, an error
/// or a panic becomes the status and the handle's last error.
pub(crate) fn with_store(
    ptr: *const wg_store,
    body: impl FnOnce(&wangge::Store) -> Result<(), FfiError>,
) -> wg_status {
    // SAFETY: every exported function asks for NULL or a live handle.
    let handle = unsafe { ptr.as_ref() };
    boundary(handle, || {
        let store = need(handle)?;
        match handle.and_then(wg_store::caller_progress) {
            Some(caller) => store.with_progress(&caller.progress(), body),
            None => body(store),
        }
    })
}

/// Turns a caller's pointer into a reference.
///
/// # Safety
/// `ptr` is NULL or a live handle from `wg_store_open`/`wg_store_scope`.
pub(crate) unsafe fn handle<'a>(ptr: *const wg_store) -> Option<&'a wg_store> {
    // SAFETY: guaranteed by the caller.
    unsafe { ptr.as_ref() }
}

/// Opens (creating if needed) the store at `path` (`":memory:"` for one in memory) and
/// writes a new handle to `*out`, to be freed with `wg_store_free`.
///
/// `options_json` may be NULL, or a JSON object with any of `"levels"` (an array of
/// `[name, code_length]` pairs, root level first, `null` length for free-form codes; only
/// when the store is created), `"actor"` (who writes through this handle, default
/// `"system"`), `"utc_offset_minutes"` (default 480), `"read_only"` (open an existing
/// store without migrating it; every write is then `WG_PERMISSION_DENIED`) and
/// `"key_hex"` (the deployment key, 16 to 64 bytes in hex, never stored in the file: ID
/// numbers and phones are then sealed with SM4; a keyed store opened without its key or
/// with another, or a store without a key opened with one, is `WG_PERMISSION_DENIED` and
/// left untouched; bad hex or length is `WG_INVALID_INPUT` naming `key_hex`) and
/// `"busy_timeout_ms"` (how long a write waits for another connection's write lock before
/// it is `WG_BUSY`: 0 to 600000 milliseconds, default 60000) and `"language"` (`"en"`,
/// the default, or `"zh"`: the messages of this handle's and its scopes' errors, and of
/// this call's, are then in Chinese, with the field name, the quoted value and the key
/// byte for byte as in English; the status is the same; anything else is
/// `WG_INVALID_INPUT` naming `language`). A SQLite file
/// that is not a wangge store (no wangge `PRAGMA application_id`), or that keeps its text
/// as UTF-16, is refused untouched (`WG_STORAGE_ERROR`); an
/// empty `path` is `WG_INVALID_INPUT` naming `path`. On failure the message is readable
/// with `wg_last_error(NULL, ...)` on the same thread.
///
/// JSON input: a `store_options`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_store_open(
    path: *const c_char,
    options_json: *const c_char,
    out: *mut *mut wg_store,
) -> wg_status {
    boundary(None, || {
        let (path, options) = (arg!(path), opt_input!(options_json, wangge::StoreOptions));
        let out = out!(out);
        out.put(open(path, options)?)
    })
}

/// Opens the store at `path` as a new handle; a refusal is in the language `options` ask
/// for, as the handle's later ones are.
fn open(path: &str, options: wangge::StoreOptions) -> Result<*mut wg_store, FfiError> {
    let language = options.language;
    let store = wangge::Store::open_with(path, options)
        .map_err(|e| FfiError::from(e).in_language(language))?;
    Ok(wg_store::boxed(store))
}

/// Frees a handle. NULL is accepted and ignored. The database closes when its last handle
/// (the store and all its scopes) is freed.
///
/// The handle must not be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_store_free(store: *mut wg_store) {
    // SAFETY: a live handle from Box::into_raw, freed once by the caller's contract.
    release(store, |store| drop(unsafe { Box::from_raw(store) }));
}

/// Closes the store behind an unrestricted handle for every handle on it: the file is
/// closed, and every later call through this handle or any scope made from it (see
/// `wg_store_scope`) is `WG_STORAGE_ERROR` with the message "store is closed". Each handle is
/// still freed with `wg_store_free`. Closing twice is harmless; on a scoped handle this is
/// `WG_PERMISSION_DENIED` (free the scope instead). NULL is `WG_INVALID_INPUT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_store_close(store: *const wg_store) -> wg_status {
    with_store(store, |store| Ok(store.close()?))
}

/// Writes to `*out` a new handle on the same store that acts as `actor` and sees and
/// changes only the subtree of unit `code`; anything outside is `WG_PERMISSION_DENIED`,
/// or `WG_NOT_FOUND` where saying "outside" would tell that a household, resident or
/// entry exists. Free it with `wg_store_free`; it stays valid after the original handle
/// is freed, until the store is closed with `wg_store_close`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_store_scope(
    store: *const wg_store,
    code: *const c_char,
    actor: *const c_char,
    out: *mut *mut wg_store,
) -> wg_status {
    with_store(store, |store| {
        let (code, actor) = (arg!(code), arg!(actor));
        let out = out!(out);
        out.put(wg_store::boxed(store.scope(code, actor)?))
    })
}

/// Writes to `*out` a copy of the message of this thread's last failed call through
/// `store` (another thread's failures on the same handle are its own), or, when `store`
/// is NULL, of this thread's last failed call made without a handle. Writes an empty
/// string when there has been none. Free it with `wg_string_free`. The message is in the
/// handle's language (`"language"` of `wg_store_open`): Chinese messages keep the field
/// name, the quoted value and the key as in English; a refusal of a NULL or non-UTF-8
/// argument by this interface itself stays in English.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_last_error(store: *const wg_store, out: *mut *mut c_char) -> wg_status {
    // SAFETY: the caller's contract.
    let message = last(unsafe { handle(store) }).unwrap_or_default();
    // Not behind the boundary: a NULL `out` must not replace the message it asks for.
    OutString::put_unrecorded(out, &message.to_string_lossy())
}

/// Seals the store with the deployment key `key_hex` (16 to 64 bytes in hex): a store
/// without a key becomes keyed, a keyed store changes its key. Every ID number and phone
/// is re-sealed, every blind index recomputed and the audit chain re-keyed in one
/// transaction, audited; on failure nothing changes. From then on the store opens only
/// with the new key. Bad hex or length is `WG_INVALID_INPUT` naming `key_hex`; a scoped or
/// read-only handle is `WG_PERMISSION_DENIED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_store_rekey(
    store: *const wg_store,
    key_hex: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let key = zeroize::Zeroizing::new(wangge::key_from_hex(arg!(key_hex))?);
        Ok(store.rekey(&key)?)
    })
}

/// Writes to `*out_json` what the store is: `{"path", "keyed", "library_version",
/// "sqlite_version", "abi_version", "schema_version", "library_schema_version",
/// "application_id", "read_only", "busy_timeout_ms", "levels", "utc_offset_minutes",
/// "actor", "scope"}`: the library's, the SQLite's it runs on, the C ABI's and the file's
/// versions among them.
///
/// JSON result: a `store_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_store_info(
    store: *const wg_store,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| out!(out_json).json(&store.info()?))
}

/// Recomputes the audit chain and checks every fact against its seal, writing to
/// `*out_json` an object `{"ok": bool, "records": int, "first_bad": int|null, "problem":
/// string|null, "problems": [{"table", "row", "problem"}], "problems_total": int}`: every
/// row of any table (the schema and the settings included) edited, deleted or inserted
/// outside the library is listed, at most 100. The chain is the whole
/// deployment's: on a scoped handle this is `WG_PERMISSION_DENIED`.
///
/// JSON result: an `audit_verification`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_audit_verify(
    store: *const wg_store,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| out!(out_json).json(&store.verify_audit()?))
}

/// Like `wg_audit_verify`, and also proves that the chain still holds `since`, a head
/// from `wg_audit_head` kept elsewhere (`{"seq", "digest", "at"}`), unchanged at its
/// place: a chain recomputed or truncated without the deployment key is not ok. A bad
/// `since` is `WG_INVALID_INPUT`.
///
/// JSON input: `since` is an `audit_head`.
/// JSON result: an `audit_verification`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_audit_verify_since(
    store: *const wg_store,
    since: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let head = wangge::AuditHead::from_json(arg!(since))?;
        out!(out_json).json(&store.verify_audit_since(&head)?)
    })
}

/// Writes to `*out_json` the newest record of the audit chain, `{"seq", "digest", "at"}`,
/// to keep elsewhere and give later to `wg_audit_verify_since`.
///
/// JSON result: an `audit_head`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_audit_head(
    store: *const wg_store,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| out!(out_json).json(&store.audit_head()?))
}

/// Writes to `*out_json` an array of at most `limit` audit records after sequence number
/// `after`, oldest first: `{"seq", "at", "actor", "action", "target", "detail", "hash"}`.
/// A scoped handle gets only the records about its subtree (see `wg_store_scope`).
///
/// JSON result: an array of `audit_record`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_audit_log(
    store: *const wg_store,
    after: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| out!(out_json).json(&store.audit_log(after, limit)?))
}
