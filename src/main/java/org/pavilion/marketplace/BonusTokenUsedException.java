package org.pavilion.marketplace;

/**
 * The marketplace refused a SendBonus because its UniqueRequestToken was already used within its
 * token memory (24 hours). An earlier attempt with this token may have paid the bonus while its
 * answer was lost, or may have been refused: this answer does not say which. The caller decides
 * by looking at what was paid ({@link Marketplace#listBonusPayments}), never by the message.
 *
 * <p>Recognised by MTurk's error code ({@code RequestError} with TurkErrorCode
 * {@code AWS.MechanicalTurk.DuplicateRequest}), never by the wording of the message. Not
 * retryable: sending the same token again gets the same refusal.
 */
public class BonusTokenUsedException extends MarketplaceException {

    private final String token;
    private final String workerId;
    private final String assignmentId;

    public BonusTokenUsedException(String errorCode, String token, String workerId, String assignmentId,
                                   String message, Throwable cause) {
        super(errorCode, message, false, cause);
        this.token = token;
        this.workerId = workerId;
        this.assignmentId = assignmentId;
    }

    /** The UniqueRequestToken the marketplace had already seen. */
    public String token() {
        return token;
    }

    public String workerId() {
        return workerId;
    }

    public String assignmentId() {
        return assignmentId;
    }
}
