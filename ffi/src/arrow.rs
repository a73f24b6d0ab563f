//! Tables over the C ABI: a `struct ArrowArrayStream` of the Arrow C stream interface,
//! taken from the caller and read into record batches, which the core reads.

use std::ffi::c_void;

use arrow_array::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::Schema;

use crate::error::FfiError;

/// The stream `ptr` points at, moved out of it: the caller's struct is left released
/// (`release` NULL), as the interface has a consumer leave a stream it took; `None` for
/// NULL. Dropping what is returned releases the stream.
///
/// # Safety
/// `ptr` is NULL or points to a `struct ArrowArrayStream` the caller may give away.
pub(crate) unsafe fn take(ptr: *mut c_void) -> Option<FFI_ArrowArrayStream> {
    let ptr = ptr.cast::<FFI_ArrowArrayStream>();
    // SAFETY: guaranteed by the caller; NULL is checked first.
    (!ptr.is_null()).then(|| unsafe { FFI_ArrowArrayStream::from_raw(ptr) })
}

/// What `read` makes of the schema and batches of `stream`, read to its end, the stream
/// released: NULL, a stream released already or one that does not read is
/// `WG_INVALID_INPUT` naming `field`.
pub(crate) fn read<T>(
    field: &'static str,
    stream: Option<FFI_ArrowArrayStream>,
    read: impl FnOnce(&Schema, &[RecordBatch]) -> wangge::Result<T>,
) -> Result<T, FfiError> {
    let stream = stream.ok_or_else(|| {
        FfiError::invalid(format!("invalid {field}: NULL where a stream is required"))
    })?;
    let refuse =
        |e: arrow_schema::ArrowError| wangge::frame::unreadable_stream(field, &e.to_string());
    let reader = ArrowArrayStreamReader::try_new(stream).map_err(refuse)?;
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().map_err(refuse)?;
    Ok(read(&schema, &batches)?)
}
