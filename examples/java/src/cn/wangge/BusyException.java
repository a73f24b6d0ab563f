package cn.wangge;

/**
 * A write could not get the file within the handle's busy time ({@code WG_BUSY}, the open
 * option {@code busy_timeout_ms}): another process held it. A storage error, so code that
 * catches {@link StorageException} catches it too; it is worth retrying.
 */
public final class BusyException extends StorageException {
    private static final long serialVersionUID = 1L;

    /**
     * An error of kind {@link Kind#BUSY}.
     *
     * @param status the {@code wg_status} number
     * @param message the library's message
     */
    BusyException(int status, String message) {
        super(status, message);
    }
}
