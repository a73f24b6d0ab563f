package cn.wangge;

/**
 * An argument is null, malformed or out of range ({@code WG_INVALID_INPUT}); the message
 * names it.
 */
public final class InvalidInputException extends WanggeException {
    private static final long serialVersionUID = 1L;

    /**
     * An error of kind {@link Kind#INVALID_INPUT}.
     *
     * @param status the {@code wg_status} number
     * @param message the library's message
     */
    InvalidInputException(int status, String message) {
        super(status, message);
    }
}
