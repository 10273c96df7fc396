package org.pavilion.marketplace.notify;

import java.io.IOException;
import java.net.URI;

/** Confirms an SNS subscription by GETting its (verified, admitted) SubscribeURL. */
@FunctionalInterface
public interface SubscriptionConfirmer {
    /** @throws IOException when the confirmation was not answered with 2xx */
    void confirm(URI subscribeUrl) throws IOException;
}
