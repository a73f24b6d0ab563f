package cn.wangge;

/** A workflow action not allowed in the entry's current state ({@code WG_INVALID_TRANSITION}). */
public final class InvalidTransitionException extends WanggeException {
    private static final long serialVersionUID = 1L;

    /**
     * An error of kind {@link Kind#INVALID_TRANSITION}.
     *
     * @param status the {@code wg_status} number
     * @param message the library's message
     */
    InvalidTransitionException(int status, String message) {
        super(status, message);
    }
}
