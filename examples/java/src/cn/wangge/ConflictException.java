package cn.wangge;

/**
 * The request contradicts what is stored ({@code WG_CONFLICT}): a duplicate id, a report
 * already approved.
 */
public final class ConflictException extends WanggeException {
    private static final long serialVersionUID = 1L;

    /**
     * An error of kind {@link Kind#CONFLICT}.
     *
     * @param status the {@code wg_status} number
     * @param message the library's message
     */
    ConflictException(int status, String message) {
        super(status, message);
    }
}
