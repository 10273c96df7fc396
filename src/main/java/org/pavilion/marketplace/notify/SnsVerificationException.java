package org.pavilion.marketplace.notify;

/**
 * A delivery that is not proven to come from a trusted SNS topic: unsigned, badly signed,
 * tampered, stale, an untrusted certificate URL or topic. HTTP 403; nothing changes. The
 * message is a short reason of our own, never the sender's content.
 */
public final class SnsVerificationException extends RuntimeException {

    private final boolean retryable;

    public SnsVerificationException(String reason) {
        this(reason, null, false);
    }

    /**
     * @param retryable the check could not be made (the certificate could not be fetched from an
     *                  admitted URL): answered 503 so that SNS delivers again; nothing changes either way
     */
    public SnsVerificationException(String reason, Throwable cause, boolean retryable) {
        super(reason, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
