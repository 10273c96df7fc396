package org.pavilion.admin.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pavilion.admin.live.SessionQueries.EventRow;
import org.pavilion.admin.live.SessionQueries.SessionRow;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.WorkerStatus;

/** The view's own arithmetic: pay and time waited, the log in words, the chart's series. */
class SessionViewsTest {

    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    private static EventRow status(long seq, int second, String worker, String from, String to, String cause) {
        return new EventRow(seq, T0.plusSeconds(second), "status", worker, "A-" + worker, from, to, cause, null, null,
                "worker:" + worker, null);
    }

    @Test
    void payCountsClosedAndOpenWaitingPeriods() {
        // 30 s closed + 90 s open at 725 cents an hour: 120 s -> 24.17 -> 24 cents.
        QueueSnapshot.WorkerView w = new QueueSnapshot.WorkerView(WorkerStatus.WAITING, "A1", 1,
                T0, 30_000, false);
        SessionView.WorkerRow row = SessionViews.worker("W1", w, 725, T0.plusSeconds(90));
        assertThat(row.waitedMillis()).isEqualTo(120_000);
        assertThat(row.waitedSeconds()).isEqualTo(120);
        assertThat(row.waited()).isEqualTo("2:00");
        assertThat(row.payCents()).isEqualTo(24);
        assertThat(row.pay()).isEqualTo("$0.24");
        assertThat(row.status()).isEqualTo("waiting");
        assertThat(row.waitingSince()).isEqualTo(T0.toString());
        assertThat(SessionViews.duration(3725)).isEqualTo("1:02:05");
        assertThat(SessionViews.dollars(1234)).isEqualTo("$12.34");
    }

    @Test
    void logRowsInWords() {
        assertThat(SessionViews.summary(status(1, 0, "W1", null, "WAITING", "ARRIVED"))).isEqualTo("W1 arrived → waiting");
        assertThat(SessionViews.summary(status(2, 0, "W1", "WAITING", "ACTIVE", "PROMOTED")))
                .isEqualTo("W1 promoted: waiting → active");
        assertThat(SessionViews.summary(new EventRow(3, T0, "phase", null, null, null, null, null, "STOPPED", null,
                "admin:a@b", "stop"))).startsWith("job stopped");
        assertThat(SessionViews.summary(new EventRow(4, T0, "hire", "W1", null, null, null, "SUBMITTED", null, 2,
                "worker:W1", null))).isEqualTo("hire #2 requested (W1 submitted)");
        assertThat(SessionViews.summary(new EventRow(5, T0, "ready", "W1", null, null, null, null, null, null,
                "worker:W1", null))).contains("ready");
    }

    @Test
    void theSeriesReplaysQueueSizesOnePointPerMoment() {
        SessionRow row = new SessionRow(1, 1, "t", 1, 0, 1, 2, 725, true, false, false, null, null, T0, T0, null, null);
        List<EventRow> log = List.of(
                status(1, 1, "W1", null, "WAITING", "ARRIVED"),
                status(2, 1, "W1", "WAITING", "ACTIVE", "PROMOTED"),
                status(3, 2, "W2", null, "WAITING", "ARRIVED"),
                status(4, 3, "W1", "ACTIVE", "SUBMITTED", "SUBMITTED"),
                status(5, 3, "W2", "WAITING", "ACTIVE", "PROMOTED"));
        QueueSnapshot now = new QueueSnapshot(List.of(), List.of("W2"), Map.of(), true, false, false, 1, 10, 0);
        List<SessionView.Point> series = SessionViews.series(row, log, now, T0.plusSeconds(10));
        assertThat(series).extracting(SessionView.Point::waiting).containsExactly(0, 0, 1, 0, 0);
        assertThat(series).extracting(SessionView.Point::active).containsExactly(0, 1, 1, 1, 1);
        assertThat(series.get(1).t()).isEqualTo(T0.plusSeconds(1).toEpochMilli());
        assertThat(series.get(series.size() - 1).at()).isEqualTo(T0.plusSeconds(10).toString());
    }
}
