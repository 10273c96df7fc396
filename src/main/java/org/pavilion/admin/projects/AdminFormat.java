package org.pavilion.admin.projects;

import org.pavilion.pay.Money;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.springframework.stereotype.Component;

/** Formatting for admin templates, as {@code ${@adminFormat.time(x)}}: times in UTC, cents as USD. */
@Component("adminFormat")
public class AdminFormat {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** "2024-05-01 14:03:07 UTC", or "—" for none. */
    public String time(Instant at) {
        return at == null ? "\u2014" : TIME.format(at);
    }

    /** "$0.50": every amount an admin reads is written the one way {@link Money#display()} writes it. */
    public String usd(long cents) {
        return Money.ofCents(cents).display();
    }

    /** A duration in seconds as "1 h 5 min", "90 s" and the like. */
    public String duration(long seconds) {
        if (seconds < 120) {
            return seconds + " s";
        }
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        long d = h / 24;
        if (d >= 2 && h % 24 == 0 && m == 0) {
            return d + " days";
        }
        if (h == 0) {
            return m + " min" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + " s");
        }
        return h + " h" + (m == 0 ? "" : " " + m + " min");
    }
}
