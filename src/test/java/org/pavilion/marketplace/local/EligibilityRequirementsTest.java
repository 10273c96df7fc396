package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pavilion.eligibility.CustomQualification;
import org.pavilion.eligibility.Eligibility;
import org.pavilion.eligibility.EligibilityStore;
import org.pavilion.eligibility.ParticipantQualifications;
import org.pavilion.session.LiveSessionService;
import org.pavilion.testing.ConfirmedArrivals;
import org.pavilion.marketplace.Marketplace;
import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.storage.JdbcSessionStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A task's who-may-work settings become its HIT's QualificationRequirements, as the MTurk client sends them
 * over HTTP to the local marketplace (which checks them as MTurk does), and the local marketplace refuses an
 * accept by a worker who does not meet them, through its worker API too.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"pavilion.database.embedded=mem", "pavilion.eligibility.grant-poll=1h"})
class EligibilityRequirementsTest {

    @LocalServerPort
    int port;
    @Autowired
    MarketplaceService market;
    @Autowired
    LocalMarketplace local;
    @Autowired
    ObjectProvider<Marketplace> marketplace;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    EligibilityStore eligibility;
    @Autowired
    JdbcSessionStore store;
    @Autowired
    ParticipantQualifications participants;
    @Autowired
    LiveSessionService sessions;

    @Test
    void theHitCarriesTheRequirementsAndAWorkerWhoDoesNotMeetThemCannotAccept() throws Exception {
        Marketplace client = marketplace.getObject();
        String skill = client.createQualificationType("Chat skill " + System.nanoTime(), "a test of chatting");
        client.associateQualification(skill, "ASKILLED", 90);
        client.associateQualification(skill, "AUNSKILLED", 40);
        long project = projects.create("Requirements", "", Instant.now()).id();
        TaskSettings settings = TaskSettings.basic("Chat together", "A live task", "http://localhost:" + port
                + "/waiting_task", 50, new Thresholds(1, 0, 2, 2));
        long task = tasks.create(project, settings, Instant.now()).id();
        eligibility.save(task, new Eligibility(false, true, List.of(
                new CustomQualification(skill, "GreaterThanOrEqualTo", List.of(80), List.of()),
                new CustomQualification("00000000000000000071", "In", List.of(), List.of("US", "CA", "US-NY")))),
                Instant.now());

        MarketplaceService.Posted posted = market.goLive(task, "admin@lab");

        // What the local marketplace received over HTTP, as it keeps it.
        String sent = local.hitType(posted.hitTypeId()).orElseThrow().spec().qualificationRequirementsJson();
        JsonNode requirements = JsonMapper.builder().build().readTree(sent);
        List<String> shapes = new ArrayList<>();
        for (JsonNode r : requirements) {
            shapes.add(r.toString());
        }
        assertThat(shapes).hasSize(3);
        assertThat(shapes.get(0)).isEqualTo("{\"QualificationTypeId\":\"2ARFPLSP75KLA8M8DH1HTEQVJT3SY6\","
                + "\"Comparator\":\"Exists\"}"); // Masters, by the sandbox's id (the local marketplace stands in for it)
        assertThat(shapes.get(1)).isEqualTo("{\"QualificationTypeId\":\"" + skill + "\","
                + "\"Comparator\":\"GreaterThanOrEqualTo\",\"IntegerValues\":[80]}");
        assertThat(shapes.get(2)).isEqualTo("{\"QualificationTypeId\":\"00000000000000000071\",\"Comparator\":\"In\","
                + "\"LocaleValues\":[{\"Country\":\"US\"},{\"Country\":\"CA\"},{\"Country\":\"US\",\"Subdivision\":\"NY\"}]}");

        // A worker below the required value, and one without the qualification, cannot accept; nothing changes.
        int available = client.getHit(posted.hitId()).available();
        for (String worker : List.of("AUNSKILLED", "ANOBODY")) {
            HttpResponse<String> refused = LocalTestSupport.postJson(port, "/local-mturk/api/accept",
                    "{\"workerId\":\"" + worker + "\",\"hitId\":" + LocalTestSupport.q(posted.hitId()) + "}");
            assertThat(refused.statusCode()).isEqualTo(403);
            JsonNode error = LocalTestSupport.json(refused);
            assertThat(error.get("error").stringValue()).isEqualTo(LocalMarketplace.QUALIFICATIONS_NOT_MET);
            assertThat(error.get("message").stringValue()).contains(skill).contains("GreaterThanOrEqualTo [80]");
            assertThatThrownBy(() -> local.accept(worker, posted.hitId()))
                    .isInstanceOf(LocalMarketplaceException.class).hasMessageContaining("does not meet");
        }
        assertThat(client.getHit(posted.hitId()).available()).isEqualTo(available);
        assertThat(client.listAssignments(posted.hitId())).isEmpty();

        // The qualified worker accepts.
        HttpResponse<String> accepted = LocalTestSupport.postJson(port, "/local-mturk/api/accept",
                "{\"workerId\":\"ASKILLED\",\"hitId\":" + LocalTestSupport.q(posted.hitId()) + "}");
        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(client.getHit(posted.hitId()).available()).isEqualTo(available - 1);
    }

    @Test
    void aTaskWithoutSettingsSendsOnlyItsOwnRequirements() {
        long project = projects.create("Plain", "", Instant.now()).id();
        TaskSettings b = TaskSettings.basic("Plain task", "A live task", "http://localhost:" + port + "/waiting_task",
                50, new Thresholds(1, 0, 2, 2));
        long task = tasks.create(project, b, Instant.now()).id();
        MarketplaceService.Posted posted = market.goLive(task, "admin@lab");
        String sent = local.hitType(posted.hitTypeId()).orElseThrow().spec().qualificationRequirementsJson();
        assertThat(sent == null ? "[]" : sent).doesNotContain("2ARFPLSP75KLA8M8DH1HTEQVJT3SY6")
                .doesNotContain("2F1QJWKUDD8XADTFD2Q0G6UTO95ALH");
    }

    @Test
    void pastParticipantsOfTheProjectHoldItsQualificationAndCannotAcceptItsNextHits() {
        long project = projects.create("Once only " + System.nanoTime(), "", Instant.now()).id();
        TaskSettings b = TaskSettings.basic("Once only", "A live task", "http://localhost:" + port + "/waiting_task",
                50, new Thresholds(1, 0, 2, 2));
        long first = tasks.create(project, b, Instant.now()).id();
        eligibility.save(first, new Eligibility(true, false, List.of()), Instant.now());
        MarketplaceService.Posted one = market.goLive(first, "admin@lab");
        String typeId = participants.typeOf(project, org.pavilion.marketplace.MarketplaceSettings.Mode.LOCAL).orElseThrow();
        assertThat(local.hitType(one.hitTypeId()).orElseThrow().spec().qualificationRequirementsJson())
                .contains("{\"QualificationTypeId\":\"" + typeId + "\",\"Comparator\":\"DoesNotExist\","
                        + "\"ActionsGuarded\":\"DiscoverPreviewAndAccept\"}");

        // APAST accepts and is admitted; the sweep gives it the project's qualification, once.
        LocalMarketplace.AssignmentView a = local.accept("APAST", one.hitId());
        ConfirmedArrivals.arrive(sessions, one.sessionId(), "APAST", a.assignmentId(), one.hitId(), "test");
        assertThat(participants.grantPending()).isEqualTo(1);
        assertThat(participants.grantPending()).isZero();
        assertThat(local.qualificationsOf("APAST")).extracting(LocalMarketplace.WorkerQualification::qualificationTypeId)
                .contains(typeId);

        // Another task of the project: the same type, so APAST cannot accept (nor see) its HIT; a newcomer can.
        long second = tasks.create(project, b, Instant.now()).id();
        eligibility.save(second, new Eligibility(true, false, List.of()), Instant.now());
        MarketplaceService.Posted two = market.goLive(second, "admin@lab");
        assertThat(participants.typeOf(project, org.pavilion.marketplace.MarketplaceSettings.Mode.LOCAL)).contains(typeId);
        assertThatThrownBy(() -> local.accept("APAST", two.hitId())).isInstanceOf(LocalMarketplaceException.class)
                .hasMessageContaining("does not meet").hasMessageContaining(typeId);
        assertThat(local.openHitsFor("APAST")).extracting(LocalMarketplace.HitView::hitId).doesNotContain(two.hitId());
        assertThat(local.accept("ANEWCOMER", two.hitId()).workerId()).isEqualTo("ANEWCOMER");
    }
}
