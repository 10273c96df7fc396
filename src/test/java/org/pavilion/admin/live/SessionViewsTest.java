package org.pavilion.admin.live;

import org.pavilion.pay.Money;
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
        assertThat(Money.ofCents(1234).display()).isEqualTo("$12.34");
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

    private static EventRow row(String kind, String worker, String assignment, String cause, Integer number,
                                String hitId) {
        return new EventRow(9, T0, kind, worker, assignment, null, null, cause, null, number, "marketplace", null,
                hitId);
    }

    @Test
    void theTrustAndBudgetFactsInWords() {
        assertThat(SessionViews.summary(row("confirm", "W1", "A1", null, null, "HIT-1")))
                .isEqualTo("assignment A1 confirmed by the marketplace (worker W1)");
        assertThat(SessionViews.summary(row("confirm", null, "A1", null, null, "HIT-1")))
                .isEqualTo("assignment A1 confirmed by the marketplace (worker not named)");
        assertThat(SessionViews.summary(row("release", null, "A1", null, null, null)))
                .isEqualTo("assignment A1 released (returned before any page arrived with it)");
        assertThat(SessionViews.summary(row("subok", "W1", "A1", null, null, null)))
                .isEqualTo("submission of W1 confirmed by the marketplace (assignment A1)");
        assertThat(SessionViews.summary(row("withheld", "W1", null, null, 15, null)))
                .isEqualTo("hire withheld: budget 15 used up (would replace W1)");
        assertThat(SessionViews.summary(row("budget", null, null, null, 20, null))).isEqualTo("hire budget set to 20");
        assertThat(SessionViews.summary(row("hire", "W1", null, "BUDGET_RAISED", 16, null)))
                .isEqualTo("hire #16 requested (budget raised; replaces W1)");
        assertThat(SessionViews.summary(row("something-new", null, null, null, null, null))).isEqualTo("something-new");
        assertThat(SessionViews.event(row("confirm", "W1", "A1", null, null, "HIT-1")).hitId()).isEqualTo("HIT-1");
    }

    private static QueueSnapshot hires(int made, int budget, int withheld, boolean stopped) {
        return new QueueSnapshot(List.of(), List.of(), Map.of(), true, stopped, false, made, budget, withheld);
    }

    @Test
    void theHireBudgetAndThePausedNotice() {
        SessionView.Hiring open = SessionViews.hiring(hires(3, 15, 0, false));
        assertThat(open.summary()).isEqualTo("hires made 3 of budget 15");
        assertThat(open.paused()).isFalse();
        assertThat(open.notice()).isNull();

        SessionView.Hiring full = SessionViews.hiring(hires(15, 15, 0, false));
        assertThat(full.usedUp()).isTrue();
        assertThat(full.paused()).isFalse();
        assertThat(full.summary()).isEqualTo("hires made 15 of budget 15 (used up: the next hire will be withheld)");

        SessionView.Hiring paused = SessionViews.hiring(hires(15, 15, 2, false));
        assertThat(paused.paused()).isTrue();
        assertThat(paused.withheld()).isEqualTo(2);
        assertThat(paused.notice()).isEqualTo("Hiring paused: the hire budget of 15 is used up (2 hires withheld)");
        assertThat(SessionViews.hiring(hires(1, 1, 1, false)).notice())
                .isEqualTo("Hiring paused: the hire budget of 1 is used up (1 hire withheld)");

        // A stopped job hires nobody anyway: no paused notice.
        SessionView.Hiring stopped = SessionViews.hiring(hires(15, 15, 2, true));
        assertThat(stopped.paused()).isFalse();
        assertThat(stopped.notice()).isNull();

        // A session opened before budgets existed has none.
        SessionView.Hiring none = SessionViews.hiring(hires(4, org.pavilion.queue.QueueEngine.UNLIMITED_HIRES, 0, false));
        assertThat(none.budget()).isNull();
        assertThat(none.summary()).isEqualTo("hires made 4 (no hire budget)");
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
