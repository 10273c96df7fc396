package org.pavilion.admin.pay;

import org.pavilion.queue.PavilionException;

/**
 * An admin's decision that cannot be taken as asked: a rejection without feedback, feedback too long, a
 * payout id that is not a number. {@code field} names the input at fault, for the form and the API's
 * {@code fields}. Nothing changed.
 */
public final class BadDecisionException extends PavilionException {

    private final String code;
    private final String field;

    public BadDecisionException(String code, String field, String message) {
        super(message);
        this.code = code;
        this.field = field;
    }

    @Override
    public String code() {
        return code;
    }

    public String field() {
        return field;
    }
}
