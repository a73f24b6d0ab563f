package cn.wangge;

import java.nio.charset.StandardCharsets;

/**
 * An error the wangge library reported: a {@code wg_status} other than {@code WG_OK} and
 * the message {@code wg_last_error} gave for it. Each error kind has its subclass
 * ({@link NotFoundException}, {@link InvalidInputException}, ...), so a caller catches the
 * kinds it can handle and lets the rest through; {@link #getKind()} tells them apart too.
 * A status this class does not know (a newer library's) is a plain {@code WanggeException}
 * of kind {@link Kind#UNKNOWN}, its number kept in {@link #getStatus()}.
 */
public class WanggeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The error kinds, one per {@code wg_status} value of {@code wangge.h}. */
    public enum Kind {
        /** {@code WG_NOT_FOUND}: a record named by the caller does not exist. */
        NOT_FOUND(1),
        /** {@code WG_INVALID_INPUT}: an argument is null, malformed or out of range. */
        INVALID_INPUT(2),
        /** {@code WG_INVALID_TRANSITION}: a workflow action not allowed in that state. */
        INVALID_TRANSITION(3),
        /** {@code WG_CONFLICT}: the request contradicts what is stored. */
        CONFLICT(4),
        /** {@code WG_PERMISSION_DENIED}: outside the handle's scope, or a read-only store. */
        PERMISSION_DENIED(5),
        /** {@code WG_STORAGE_ERROR}: SQLite failed or the file is not a usable store. */
        STORAGE(6),
        /** {@code WG_INTERNAL_ERROR}: a bug in the library, caught at its boundary. */
        INTERNAL(7),
        /** {@code WG_BUSY}: a write could not get the file within the busy time. */
        BUSY(8),
        /** A status this class does not know. */
        UNKNOWN(-1);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        /**
         * The {@code wg_status} number of this kind ({@code -1} for {@link #UNKNOWN}).
         *
         * @return the number, as {@code wangge.h} gives it
         */
        public int status() {
            return status;
        }

        /**
         * The kind of a {@code wg_status} number.
         *
         * @param status a {@code wg_status} other than {@code WG_OK}
         * @return its kind, {@link #UNKNOWN} for a number not listed here
         */
        public static Kind of(int status) {
            for (Kind kind : values()) {
                if (kind.status == status && kind != UNKNOWN) {
                    return kind;
                }
            }
            return UNKNOWN;
        }
    }

    /** The {@code wg_status} number, kept also when it is not a known {@link Kind}. */
    private final int status;

    /**
     * An error of {@code status} with the library's {@code message}.
     *
     * @param status the {@code wg_status} number
     * @param message the library's message
     */
    protected WanggeException(int status, String message) {
        super(message);
        this.status = status;
    }

    /**
     * The error kind.
     *
     * @return the kind of {@link #getStatus()}
     */
    public Kind getKind() {
        return Kind.of(status);
    }

    /**
     * The {@code wg_status} number the library returned.
     *
     * @return the number, also when it is not a known {@link Kind}
     */
    public int getStatus() {
        return status;
    }

    /**
     * The exception for a {@code wg_status} number: the subclass of its kind.
     *
     * @param status a {@code wg_status} other than {@code WG_OK}
     * @param message the message {@code wg_last_error} gave
     * @return the exception, not yet thrown
     */
    public static WanggeException of(int status, String message) {
        switch (Kind.of(status)) {
            case NOT_FOUND:
                return new NotFoundException(status, message);
            case INVALID_INPUT:
                return new InvalidInputException(status, message);
            case INVALID_TRANSITION:
                return new InvalidTransitionException(status, message);
            case CONFLICT:
                return new ConflictException(status, message);
            case PERMISSION_DENIED:
                return new PermissionDeniedException(status, message);
            case BUSY:
                return new BusyException(status, message);
            case STORAGE:
                return new StorageException(status, message);
            default:
                return new WanggeException(status, message);
        }
    }

    /** Called by the JNI shim: the message comes as the library's UTF-8 bytes. */
    static WanggeException of(int status, byte[] message) {
        String text = message == null ? "" : new String(message, StandardCharsets.UTF_8);
        return of(status, text);
    }
}
