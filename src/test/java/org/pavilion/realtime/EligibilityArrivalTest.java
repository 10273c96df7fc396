package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.pavilion.eligibility.Eligibility;
import org.pavilion.eligibility.EligibilityStore;
import org.pavilion.eligibility.ExcludedWorkers;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Who may work, on arrival over real Socket.IO connections and real storage: a worker who took part in an
 * earlier session of the same task (or, when the task says so, of the same project), or whom the admin
 * excluded, is refused with {@code not_eligible} and nothing changes in the session.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"pavilion.database.embedded=mem"})
class EligibilityArrivalTest extends RealtimeTestSupport {

    static final Thresholds SMALL = new Thresholds(1, 0, 5, 5);

    @Autowired
    EligibilityStore eligibility;
    @Autowired
    ExcludedWorkers excluded;
    @Autowired
    Admission admission;

    long project;

    long newTask(boolean allowRepeatWorkers) {
        TaskSettings b = TaskSettings.basic("Eligibility task", "A task", "https://localhost/task", 50, SMALL);
        TaskSettings s = new TaskSettings(b.title(), b.description(), b.keywords(), b.rewardCents(),
                b.assignmentDurationSeconds(), b.lifetimeSeconds(), b.autoApprovalDelaySeconds(), b.country(),
                b.minApprovalPercent(), b.minApprovedHits(), b.externalUrl(), b.frameHeight(), SMALL,
                allowRepeatWorkers, b.waitingPayCentsPerHour(), 30);
        return tasks.create(project, s, Instant.now()).id();
    }

    long newSession(long task, String hitId) {
        long session = sessions.open(task).sessionId();
        store.addSessionHit(session, "TYPE-" + session, hitId);
        return session;
    }

    void newProject() {
        project = projects.create("Eligibility tests " + System.nanoTime(), "", Instant.now()).id();
    }

    /** A worker takes part: confirmed, joins, is admitted. */
    void takesPart(String worker, String aid, String hitId) throws Exception {
        ProtocolClient page = seedPage(worker + "-" + hitId, "websocket");
        page.emit("connected", acceptedJoin(worker, aid, hitId));
        page.skipUntil("start_your_task", "{message:['" + worker + "']}");
    }

    /** The worker's confirmed join is refused with not_eligible and a message containing {@code words}. */
    void refused(long session, String worker, String aid, String hitId, String words) throws Exception {
        confirm(worker, aid, hitId); // the marketplace let it accept: Pavilion is the one to say no
        int logBefore = logSize(session);
        int claimsBefore = admission.pendingClaims();
        QueueSnapshot before = sessions.snapshot(session);
        ProtocolClient page = seedPage(worker + "-refused-" + hitId, "websocket");
        page.emit("connected", joinPayload(worker, aid, hitId));
        JSONObject error = page.expect("error");
        assertThat(error.getString("code")).isEqualTo("not_eligible");
        assertThat(error.getString("event")).isEqualTo("connected");
        assertThat(error.getString("message")).contains(words).contains("please return the HIT");
        quiet(List.of(page)); // no start_your_task, no counts: it never joined
        QueueSnapshot after = sessions.snapshot(session);
        assertThat(after.workers()).isEqualTo(before.workers()).doesNotContainKey(worker);
        assertThat(after.waiting()).isEqualTo(before.waiting());
        assertThat(after.active()).isEqualTo(before.active());
        assertThat(logSize(session)).isEqualTo(logBefore);
        assertThat(admission.pendingClaims()).isEqualTo(claimsBefore);
        assertThat(store.hireRequests(session)).isEmpty();
    }

    @Test
    void aWorkerOfAnEarlierSessionOfTheSameTaskIsRefused() throws Exception {
        newProject();
        long task = newTask(false);
        newSession(task, "HIT-T1");
        takesPart("AW1", "a1", "HIT-T1");
        long second = newSession(task, "HIT-T2");
        refused(second, "AW1", "a2", "HIT-T2", "earlier session of this task");
        // Someone new still joins the second session.
        takesPart("AW2", "a3", "HIT-T2");
    }

    @Test
    void aTaskThatAllowsRepeatWorkersTakesThemBack() throws Exception {
        newProject();
        long task = newTask(true);
        newSession(task, "HIT-R1");
        takesPart("AR1", "r1", "HIT-R1");
        newSession(task, "HIT-R2");
        takesPart("AR1", "r2", "HIT-R2");
    }

    @Test
    void aWorkerOfAnotherTasksSessionIsRefusedOnlyWhenTheTaskExcludesTheProjectsWorkers() throws Exception {
        newProject();
        long first = newTask(false);
        newSession(first, "HIT-P1");
        takesPart("AP1", "p1", "HIT-P1");
        takesPart("AP2", "p2", "HIT-P1");
        // Another task of the project, which allows even repeat workers: the project's exclusion still holds.
        long strict = newTask(true);
        eligibility.save(strict, new Eligibility(true, false, List.of()), Instant.now());
        long strictSession = newSession(strict, "HIT-P2");
        refused(strictSession, "AP1", "p3", "HIT-P2", "earlier session of this project");
        // A task of the same project without the setting takes them.
        long lenient = newTask(false);
        newSession(lenient, "HIT-P3");
        takesPart("AP2", "p4", "HIT-P3");
        // Another project's workers are not this project's.
        newProject();
        long other = newTask(false);
        eligibility.save(other, new Eligibility(true, false, List.of()), Instant.now());
        newSession(other, "HIT-P4");
        takesPart("AP1", "p5", "HIT-P4");
    }

    @Test
    void aWorkerOnTheProjectsExcludedListIsRefusedAndTakenOffItJoins() throws Exception {
        newProject();
        long task = newTask(true);
        long session = newSession(task, "HIT-X1");
        excluded.importIds(project, "AEXCLUDED1\nAEXCLUDED2", Instant.now());
        refused(session, "AEXCLUDED1", "x1", "HIT-X1", "excluded your worker id");
        excluded.remove(project, "AEXCLUDED1");
        takesPart("AEXCLUDED1", "x2", "HIT-X1");
        // Added while the worker is in the session: a reload is not a new arrival, it stays in.
        excluded.importIds(project, "AEXCLUDED1", Instant.now());
        takesPart("AEXCLUDED1", "x2", "HIT-X1");
    }
}
