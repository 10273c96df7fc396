package org.pavilion.marketplace.mturk;

import org.pavilion.marketplace.MarketplaceException;

/**
 * A failed MTurk call, with what MTurk said: the HTTP status (0 when no answer came), the error
 * type ({@link #errorCode()}: ServiceFault, RequestError, ThrottlingException, ... or
 * {@link #AUTHENTICATION_FAILED}, {@link #TRANSPORT_ERROR}, {@code HTTP<status>}), the
 * {@code TurkErrorCode} and the request id.
 */
public class MTurkException extends MarketplaceException {

    public static final String AUTHENTICATION_FAILED = "AuthenticationFailed";
    public static final String TRANSPORT_ERROR = "TransportError";
    public static final String INVALID_RESPONSE = "InvalidResponse";
    public static final String INTERRUPTED = "Interrupted";

    private final int httpStatus;
    private final String turkErrorCode;
    private final String requestId;

    public MTurkException(String errorCode, String message, boolean retryable, int httpStatus, String turkErrorCode,
                          String requestId, Throwable cause) {
        super(errorCode, message, retryable, cause);
        this.httpStatus = httpStatus;
        this.turkErrorCode = turkErrorCode;
        this.requestId = requestId;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** MTurk's {@code TurkErrorCode}, e.g. {@code AWS.MechanicalTurk.HitAlreadyExists}; may be null. */
    public String turkErrorCode() {
        return turkErrorCode;
    }

    /** MTurk's {@code x-amzn-RequestId}, for support; may be null. */
    public String requestId() {
        return requestId;
    }

    public boolean authenticationFailed() {
        return AUTHENTICATION_FAILED.equals(errorCode());
    }
}
