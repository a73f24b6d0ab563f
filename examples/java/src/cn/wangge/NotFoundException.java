package cn.wangge;

/** A record named by the caller does not exist ({@code WG_NOT_FOUND}). */
public final class NotFoundException extends WanggeException {
    private static final long serialVersionUID = 1L;

    /**
     * An error of kind {@link Kind#NOT_FOUND}.
     *
     * @param status the {@code wg_status} number
     * @param message the library's message
     */
    NotFoundException(int status, String message) {
        super(status, message);
    }
}
