package cn.wangge;

/**
 * SQLite failed, the file is not a usable store, or the store was closed through another
 * handle ({@code WG_STORAGE_ERROR}).
 */
public class StorageException extends WanggeException {
    private static final long serialVersionUID = 1L;

    /**
     * An error of kind {@link Kind#STORAGE}.
     *
     * @param status the {@code wg_status} number
     * @param message the library's message
     */
    StorageException(int status, String message) {
        super(status, message);
    }
}
