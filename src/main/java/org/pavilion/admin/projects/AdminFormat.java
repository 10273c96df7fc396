package org.pavilion.admin.projects;

import java.time.Instant;
import java.time.OffsetDateTime;

import org.pavilion.format.Formats;
import org.springframework.stereotype.Component;

/**
 * Formatting for admin templates, as {@code ${@adminFormat.time(x)}}: the server's one {@link Formats}
 * (times in {@code pavilion.time-zone} to the second, money as "$7.25"), plus durations.
 */
@Component("adminFormat")
public class AdminFormat {

    private final Formats formats;

    public AdminFormat(Formats formats) {
        this.formats = formats;
    }

    /** "2024-05-01 14:03:07 UTC", or "—" for none. */
    public String time(Instant at) {
        return formats.time(at);
    }

    public String time(OffsetDateTime at) {
        return formats.time(at);
    }

    /** A time the view holds as ISO-8601 text. */
    public String time(String iso) {
        return formats.time(iso);
    }

    /** The zone id times are shown in (for scripts that write times the same way). */
    public String zone() {
        return formats.zone().getId();
    }

    /** "$0.50": every amount an admin reads is written the one way. */
    public String usd(long cents) {
        return Formats.money(cents);
    }

    /** "$7.25 per hour". */
    public String perHour(long cents) {
        return Formats.perHour(cents);
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
