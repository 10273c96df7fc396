package org.pavilion.marketplace;

/**
 * A marketplace call failed. {@code retryable}: ServiceFault, ThrottlingException, HTTP 429 and
 * 5xx, or a network failure, where trying again later may succeed; otherwise (RequestError, an
 * authentication failure) it is permanent and the admin must see it.
 */
public class MarketplaceException extends RuntimeException {

    private final String errorCode;
    private final boolean retryable;

    public MarketplaceException(String errorCode, String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
        this.retryable = retryable;
    }

    public MarketplaceException(String errorCode, String message, boolean retryable) {
        this(errorCode, message, retryable, null);
    }

    /** MTurk's error type (ServiceFault, RequestError, ThrottlingException, ...) or an HTTP/transport code. */
    public String errorCode() {
        return errorCode;
    }

    public boolean retryable() {
        return retryable;
    }
}
