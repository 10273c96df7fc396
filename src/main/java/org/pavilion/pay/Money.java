package org.pavilion.pay;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * An amount of US dollars, held as whole cents: the one money type of Pavilion. MTurk's API writes
 * amounts as dollar strings ({@code "0.50"}); pages show them with a dollar sign ({@code "$0.50"}).
 * Cents are exact, so sums and comparisons never drift; rounding happens once, where an amount is
 * computed from a rate ({@link #percentOf}, {@code WaitingPay}).
 */
public record Money(long cents) implements Comparable<Money> {

    public static final Money ZERO = new Money(0);

    public static Money ofCents(long cents) {
        return cents == 0 ? ZERO : new Money(cents);
    }

    /**
     * Parses a dollar amount as MTurk and forms write it ({@code "7.25"}, {@code "0.5"}, {@code "3"}).
     * More than two decimals is refused: an amount is never silently rounded.
     *
     * @throws NumberFormatException if the text is not such an amount
     */
    public static Money parseUsd(String usd) {
        if (usd == null) {
            throw new NumberFormatException("no amount");
        }
        String t = usd.strip();
        if (t.startsWith("$")) {
            t = t.substring(1);
        }
        BigDecimal value = new BigDecimal(t);
        try {
            return ofCents(value.movePointRight(2).setScale(0, RoundingMode.UNNECESSARY).longValueExact());
        } catch (ArithmeticException e) {
            throw new NumberFormatException("'" + usd + "' is not a whole number of cents");
        }
    }

    public Money plus(Money other) {
        return ofCents(Math.addExact(cents, other.cents));
    }

    public Money minus(Money other) {
        return ofCents(Math.subtractExact(cents, other.cents));
    }

    public Money times(long count) {
        return ofCents(Math.multiplyExact(cents, count));
    }

    /** {@code percent} % of this amount, rounded half up to the cent. */
    public Money percentOf(int percent) {
        return ofCents(BigDecimal.valueOf(cents).multiply(BigDecimal.valueOf(percent))
                .divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_UP).longValueExact());
    }

    public boolean isPositive() {
        return cents > 0;
    }

    public boolean isNegative() {
        return cents < 0;
    }

    public static Money max(Money a, Money b) {
        return a.cents >= b.cents ? a : b;
    }

    /** The amount as a decimal number of dollars. */
    public BigDecimal dollars() {
        return BigDecimal.valueOf(cents, 2);
    }

    /** As MTurk's API and CSV exports write it: {@code "0.50"}, {@code "-1.25"}. */
    public String usd() {
        return dollars().toPlainString();
    }

    /** As a person reads it: {@code "$0.50"}, {@code "-$1.25"}. */
    public String display() {
        return (cents < 0 ? "-$" : "$") + BigDecimal.valueOf(Math.abs(cents), 2).toPlainString();
    }

    @Override
    public int compareTo(Money other) {
        return Long.compare(cents, other.cents);
    }

    @Override
    public String toString() {
        return display();
    }
}
