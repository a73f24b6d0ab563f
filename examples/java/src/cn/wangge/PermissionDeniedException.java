package cn.wangge;

/**
 * Outside the handle's scope, a write to a read-only store, or a keyed store opened without
 * its key ({@code WG_PERMISSION_DENIED}).
 */
public final class PermissionDeniedException extends WanggeException {
    private static final long serialVersionUID = 1L;

    /**
     * An error of kind {@link Kind#PERMISSION_DENIED}.
     *
     * @param status the {@code wg_status} number
     * @param message the library's message
     */
    PermissionDeniedException(int status, String message) {
        super(status, message);
    }
}
