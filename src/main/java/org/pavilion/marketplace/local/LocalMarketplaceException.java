package org.pavilion.marketplace.local;

/**
 * A local-marketplace operation refused (or failed). On the MTurk API it becomes MTurk's error
 * document ({@code com.amazonaws.mturk#RequestError} or {@code #ServiceFault}, with
 * {@code TurkErrorCode}); on the worker API and board, {@link #httpStatus()} says which 4xx (403 for a
 * worker who does not meet a HIT's qualification requirements).
 */
public class LocalMarketplaceException extends RuntimeException {

    /** MTurk's two error types. */
    public enum Kind { REQUEST_ERROR, SERVICE_FAULT }

    private final Kind kind;
    private final String turkErrorCode;
    private final int httpStatus;

    public LocalMarketplaceException(Kind kind, String turkErrorCode, int httpStatus, String message) {
        super(message);
        this.kind = kind;
        this.turkErrorCode = turkErrorCode;
        this.httpStatus = httpStatus;
    }

    /** An unknown HIT, HIT type or assignment (404 on the worker API). */
    static LocalMarketplaceException notFound(String turkErrorCode, String message) {
        return new LocalMarketplaceException(Kind.REQUEST_ERROR, turkErrorCode, 404, message);
    }

    /** Not allowed in the current state (409 on the worker API). */
    static LocalMarketplaceException conflict(String turkErrorCode, String message) {
        return new LocalMarketplaceException(Kind.REQUEST_ERROR, turkErrorCode, 409, message);
    }

    /** A missing or invalid parameter (400). */
    static LocalMarketplaceException invalid(String message) {
        return new LocalMarketplaceException(Kind.REQUEST_ERROR, "AWS.MechanicalTurk.InvalidParameterValue", 400,
                message);
    }

    public Kind kind() {
        return kind;
    }

    /** MTurk's TurkErrorCode, e.g. {@code AWS.MechanicalTurk.HitAlreadyExists}. */
    public String turkErrorCode() {
        return turkErrorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
