package org.pavilion.marketplace.notify;

/** The delivery is not an SNS message or its Message is not an MTurk event document: HTTP 400. */
public final class MalformedNotificationException extends RuntimeException {
    public MalformedNotificationException(String reason) {
        super(reason);
    }
}
