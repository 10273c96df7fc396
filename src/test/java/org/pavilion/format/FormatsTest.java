package org.pavilion.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/** The one format of times and money: zone from the setting, seconds precision, never nanoseconds. */
class FormatsTest {

    // A time with nanoseconds, as Instant.now() gives it: none of them may show.
    static final Instant AT = Instant.parse("2026-12-03T15:24:07.123456789Z");

    @Test
    void timesForPeopleAreLocalToTheSecondWithTheZone() {
        assertThat(new Formats(ZoneId.of("UTC")).time(AT)).isEqualTo("2026-12-03 15:24:07 UTC");
        assertThat(new Formats(ZoneOffset.UTC).time(AT)).isEqualTo("2026-12-03 15:24:07 UTC");
        assertThat(new Formats(ZoneId.of("Etc/UTC")).time(AT)).isEqualTo("2026-12-03 15:24:07 UTC");
        // Berlin in winter is an hour ahead, in summer two; the offset says which
        Formats berlin = new Formats(ZoneId.of("Europe/Berlin"));
        assertThat(berlin.time(AT)).isEqualTo("2026-12-03 16:24:07 UTC+01:00");
        assertThat(berlin.time(Instant.parse("2026-07-01T10:00:00Z"))).isEqualTo("2026-07-01 12:00:00 UTC+02:00");
        assertThat(new Formats(ZoneId.of("America/New_York")).time(AT)).isEqualTo("2026-12-03 10:24:07 UTC-05:00");
        // whatever offset a time came with, it is shown in the configured zone
        assertThat(berlin.time(OffsetDateTime.parse("2026-12-03T15:24:07.5Z"))).isEqualTo("2026-12-03 16:24:07 UTC+01:00");
        assertThat(berlin.time("2026-12-03T15:24:07.123456789Z")).isEqualTo("2026-12-03 16:24:07 UTC+01:00");
        assertThat(berlin.time((Instant) null)).isEqualTo(Formats.NONE);
        assertThat(berlin.time("not a time")).isEqualTo("not a time");
    }

    @Test
    void timesForFilesAreIsoWithTheOffsetToTheSecond() {
        assertThat(new Formats(ZoneId.of("UTC")).isoTime(AT)).isEqualTo("2026-12-03T15:24:07Z");
        Formats berlin = new Formats(ZoneId.of("Europe/Berlin"));
        assertThat(berlin.isoTime(AT)).isEqualTo("2026-12-03T16:24:07+01:00");
        assertThat(OffsetDateTime.parse(berlin.isoTime(AT)).toInstant()).isEqualTo(Instant.parse("2026-12-03T15:24:07Z"));
        assertThat(berlin.isoTime("2026-12-03T15:24:07.999999Z")).isEqualTo("2026-12-03T16:24:07+01:00");
        assertThat(berlin.isoTime((Instant) null)).isNull();
    }

    @Test
    void moneyIsDollarsWithTwoDecimals() {
        assertThat(Formats.money(725)).isEqualTo("$7.25");
        assertThat(Formats.money(5)).isEqualTo("$0.05");
        assertThat(Formats.money(0)).isEqualTo("$0.00");
        assertThat(Formats.money(-125)).isEqualTo("-$1.25");
        assertThat(Formats.perHour(725)).isEqualTo("$7.25 per hour");
    }

    @Test
    void theZoneSettingIsCheckedAndDefaultsToTheServersZone() {
        assertThat(Formats.zoneOf(null)).isEqualTo(ZoneId.systemDefault());
        assertThat(Formats.zoneOf("  ")).isEqualTo(ZoneId.systemDefault());
        assertThat(Formats.zoneOf(" Europe/Berlin ")).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(Formats.zoneOf("+02:00")).isEqualTo(ZoneOffset.ofHours(2));
        assertThatThrownBy(() -> Formats.zoneOf("Mars/Olympus"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pavilion.time-zone").hasMessageContaining("Mars/Olympus");
    }
}
