package org.pavilion.marketplace;

/**
 * The marketplace refused to create something because its UniqueRequestToken was already used
 * (MTurk: a RequestError with TurkErrorCode {@code AWS.MechanicalTurk.HitAlreadyExists}): an
 * earlier attempt with this token did create it, within the marketplace's token memory (24 hours),
 * but its answer never reached us (lost on the way, or the process stopped before recording it).
 *
 * <p>Which HIT that was is deliberately not read from the error's message: MTurk does not promise
 * the message's wording. The caller finds the HIT from its own records or with
 * {@link Marketplace#findHitByAnnotation}, since Pavilion annotates every HIT with its token.
 * Not retryable: sending the same token again gets the same refusal.
 */
public class RequestTokenUsedException extends MarketplaceException {

    private final String token;

    public RequestTokenUsedException(String errorCode, String token, String message, Throwable cause) {
        super(errorCode, message, false, cause);
        this.token = token;
    }

    /** The UniqueRequestToken the marketplace had already seen. */
    public String token() {
        return token;
    }
}
