package org.pavilion.format;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.Locale;

import org.pavilion.pay.Money;

/**
 * The one way Pavilion writes times and money: for people (console, worker pages, the local board) times are
 * local to one zone, to the second, with the zone's offset ({@code "2026-12-03 15:24:07 UTC"},
 * {@code "2026-12-03 16:24:07 UTC+01:00"}) and money is
 * {@code "$7.25"} ({@code "$7.25 per hour"}); for files (exports) times are ISO-8601 in the same zone with
 * its offset, to the second ({@code "2026-12-03T15:24:07Z"}, {@code "2026-12-03T16:24:07+01:00"}).
 * The zone is the setting {@code pavilion.time-zone} (default: the server's zone).
 */
public final class Formats {

    /** Shown for a time that is not there (a session not ended, a token never used). */
    public static final String NONE = "\u2014";

    /** The server's formats, for code that writes times outside a bean (export rows); replaced once at start. */
    private static volatile Formats server = new Formats(ZoneId.systemDefault());

    private final ZoneId zone;
    private final DateTimeFormatter forPeople;
    private final DateTimeFormatter forFiles;

    public Formats(ZoneId zone) {
        // "Z" written as a zone name would read oddly: UTC is called UTC.
        this.zone = zone.normalized().equals(ZoneOffset.UTC) ? ZoneId.of("UTC") : zone;
        // The zone as its offset from UTC ("UTC", "UTC+01:00"): unambiguous, and a browser can write it the same.
        this.forPeople = new DateTimeFormatterBuilder().appendPattern("uuuu-MM-dd HH:mm:ss")
                .appendLiteral(" UTC").appendOffset("+HH:MM", "").toFormatter(Locale.ROOT).withZone(this.zone);
        this.forFiles = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX", Locale.ROOT).withZone(this.zone);
    }

    /**
     * The zone of a {@code pavilion.time-zone} value: blank means the server's zone; anything else must be a
     * zone id Java knows ({@code UTC}, {@code Europe/Berlin}, {@code +02:00}).
     *
     * @throws IllegalArgumentException naming the setting and the value, if it is not a zone
     */
    public static ZoneId zoneOf(String setting) {
        if (setting == null || setting.isBlank()) {
            return ZoneId.systemDefault();
        }
        try {
            return ZoneId.of(setting.strip());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("pavilion.time-zone: '" + setting + "' is not a time zone "
                    + "(write e.g. UTC, Europe/Berlin or +02:00; leave it unset for the server's zone)", e);
        }
    }

    /** The server's one formatter (the {@code pavilion.time-zone} of the running server). */
    public static Formats server() {
        return server;
    }

    /** Makes these the server's formats: called once, by the configuration that reads the setting. */
    static Formats useForServer(Formats formats) {
        server = formats;
        return formats;
    }

    public ZoneId zone() {
        return zone;
    }

    /** {@code "2026-12-03 15:24:07 UTC"} (to the second), or {@link #NONE} for none. */
    public String time(Instant at) {
        return at == null ? NONE : forPeople.format(at);
    }

    /** As {@link #time(Instant)}: the instant is shown in Pavilion's zone, whatever offset it came with. */
    public String time(OffsetDateTime at) {
        return at == null ? NONE : time(at.toInstant());
    }

    /**
     * As {@link #time(Instant)}, for a time already written as ISO-8601 text (as views hand it to pages);
     * text that is no such time is returned as it is.
     */
    public String time(String iso) {
        if (iso == null || iso.isBlank()) {
            return NONE;
        }
        try {
            return time(OffsetDateTime.parse(iso.strip()).toInstant());
        } catch (java.time.format.DateTimeParseException e) {
            return iso;
        }
    }

    /** For files: {@code "2026-12-03T15:24:07Z"} (ISO-8601, Pavilion's zone with its offset, to the second); null stays null. */
    public String isoTime(Instant at) {
        return at == null ? null : forFiles.format(at);
    }

    /** As {@link #isoTime(Instant)}, for a time held as ISO-8601 text; text that is no such time is kept as is. */
    public String isoTime(String iso) {
        if (iso == null || iso.isBlank()) {
            return null;
        }
        try {
            return isoTime(OffsetDateTime.parse(iso.strip()).toInstant());
        } catch (java.time.format.DateTimeParseException e) {
            return iso;
        }
    }

    /** {@code "$7.25"}, {@code "-$1.25"}: {@link Money#display()}. */
    public static String money(long cents) {
        return Money.ofCents(cents).display();
    }

    /** {@code "$7.25 per hour"}. */
    public static String perHour(long cents) {
        return money(cents) + " per hour";
    }
}
