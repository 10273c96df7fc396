package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.net.URI;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pavilion.pay.Money;

/** The local marketplace's rules on a controlled clock, and the SNS signer, without Spring. */
class LocalMarketplaceRulesTest {

    static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-05-01T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MovableClock clock = new MovableClock();
    private final List<LocalMarketplace.Event> events = new ArrayList<>();

    private LocalMarketplace marketplace(boolean reuseIds) {
        LocalMarketplaceProperties d = LocalMarketplaceProperties.defaults();
        LocalMarketplace m = new LocalMarketplace(new LocalMarketplaceProperties(d.startingBalance(),
                d.signatureVersion(), null, d.sweepInterval(), d.deliveryAttempts(), d.deliveryBackoff(),
                d.deliveryTimeout(), d.deliveryConcurrency(), d.maxClockSkew(), d.minAssignmentDuration(), reuseIds, d.requesterId(),
                d.tokenRetention()), clock);
        m.addListener(events::add);
        return m;
    }

    private static LocalMarketplace.HitView hit(LocalMarketplace m, int max, String token) {
        LocalMarketplace.HitType type = m.createHitType(new LocalMarketplace.HitTypeSpec("Task", "A task", null,
                new BigDecimal("0.50"), 60, 120, null));
        return m.createHit(type.hitTypeId(), 600, max, LocalTestSupport.externalQuestion("https://t.example/a#top"),
                null, token);
    }

    private List<String> eventTypes() {
        return events.stream().map(LocalMarketplace.Event::eventType).toList();
    }

    @Test
    void hitStatusFollowsAssignmentsAndTime() {
        LocalMarketplace m = marketplace(false);
        LocalMarketplace.HitView h = hit(m, 1, null);
        assertThat(h.status()).isEqualTo("Assignable");
        LocalMarketplace.AssignmentView a = m.accept("W1", h.hitId());
        assertThat(m.getHit(h.hitId()).status()).isEqualTo("Unassignable");
        assertThat(m.workUrl(a.assignmentId(), "http://localhost:9/")).hasValue("https://t.example/a?assignmentId="
                + a.assignmentId() + "&hitId=" + h.hitId() + "&workerId=W1&turkSubmitTo=http%3A%2F%2Flocalhost%3A9"
                + "%2Flocal-mturk#top");
        m.returnAssignment(a.assignmentId());
        assertThat(m.getHit(h.hitId()).status()).isEqualTo("Assignable");
        LocalMarketplace.AssignmentView b = m.accept("W2", h.hitId());
        m.submit(b.assignmentId(), Map.of());
        assertThat(m.getHit(h.hitId()).status()).isEqualTo("Reviewable");
        assertThat(eventTypes()).containsExactly("HITCreated", "AssignmentAccepted", "AssignmentReturned",
                "AssignmentAccepted", "AssignmentSubmitted", "HITReviewable");
    }

    @Test
    void theClockAbandonsLateAssignmentsExpiresHitsAndAutoApproves() {
        LocalMarketplace m = marketplace(false);
        LocalMarketplace.HitView h = hit(m, 2, null);
        LocalMarketplace.AssignmentView late = m.accept("W1", h.hitId());
        LocalMarketplace.AssignmentView done = m.accept("W2", h.hitId());
        m.submit(done.assignmentId(), Map.of());
        clock.advance(Duration.ofSeconds(59));
        m.sweep();
        assertThat(m.assignment(late.assignmentId()).orElseThrow().status())
                .isEqualTo(LocalMarketplace.AssignmentStatus.ACCEPTED);
        clock.advance(Duration.ofSeconds(1));
        m.sweep();
        assertThat(m.assignment(late.assignmentId()).orElseThrow().status())
                .isEqualTo(LocalMarketplace.AssignmentStatus.ABANDONED);
        assertThat(m.getHit(h.hitId()).available()).isEqualTo(1);
        Money before = m.balance();
        clock.advance(Duration.ofSeconds(60));
        m.sweep();
        assertThat(m.assignment(done.assignmentId()).orElseThrow().status())
                .isEqualTo(LocalMarketplace.AssignmentStatus.APPROVED);
        assertThat(before.minus(m.balance())).as("the reward and MTurk's 20 %").isEqualTo(Money.ofCents(60));
        clock.advance(Duration.ofSeconds(600));
        m.sweep();
        m.sweep();
        assertThat(eventTypes()).containsSubsequence("AssignmentAbandoned", "HITExpired", "HITReviewable");
        assertThat(eventTypes().stream().filter("HITExpired"::equals)).hasSize(1);
        assertThatThrownBy(() -> m.accept("W3", h.hitId())).isInstanceOf(LocalMarketplaceException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void tokensAreRememberedForTheirRetentionOnly() {
        LocalMarketplace m = marketplace(false);
        LocalMarketplace.HitView first = hit(m, 1, "tok-1");
        assertThatThrownBy(() -> hit(m, 1, "tok-1")).isInstanceOfSatisfying(LocalMarketplaceException.class, e -> {
            assertThat(e.turkErrorCode()).isEqualTo("AWS.MechanicalTurk.HitAlreadyExists");
            assertThat(e.getMessage()).as("clients must find the HIT by its annotation, not in the text")
                    .doesNotContain(first.hitId());
        });
        clock.advance(Duration.ofHours(24).plusSeconds(1));
        assertThat(hit(m, 1, "tok-1").hitId()).as("after 24 h MTurk forgets the token").isNotEqualTo(first.hitId());
    }

    @Test
    void returnedIdsAreReusedWhenConfigured() {
        LocalMarketplace m = marketplace(true);
        LocalMarketplace.HitView h = hit(m, 1, null);
        LocalMarketplace.AssignmentView a = m.accept("W1", h.hitId());
        m.returnAssignment(a.assignmentId());
        LocalMarketplace.AssignmentView b = m.accept("W2", h.hitId());
        assertThat(b.assignmentId()).isEqualTo(a.assignmentId());
        assertThat(m.assignment(a.assignmentId()).orElseThrow().workerId()).isEqualTo("W2");
        assertThat(m.assignmentsOf("W1").get(0).status()).isEqualTo(LocalMarketplace.AssignmentStatus.RETURNED);
    }

    @Test
    void bonusesNeedACompletedAssignmentOfThatWorkerAndFunds() {
        LocalMarketplace m = marketplace(false);
        LocalMarketplace.HitView h = hit(m, 1, null);
        LocalMarketplace.AssignmentView a = m.accept("W1", h.hitId());
        assertThatThrownBy(() -> m.sendBonus("W1", a.assignmentId(), Money.ofCents(100), "r", null))
                .hasMessageContaining("Submitted");
        m.submit(a.assignmentId(), Map.of());
        assertThatThrownBy(() -> m.sendBonus("W9", a.assignmentId(), Money.ofCents(100), "r", null))
                .hasMessageContaining("does not belong");
        assertThatThrownBy(() -> m.sendBonus("W1", a.assignmentId(), Money.ofCents(0), "r", null))
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> m.sendBonus("W1", a.assignmentId(), Money.ofCents(100), " ", null))
                .hasMessageContaining("Reason");
        m.sendBonus("W1", a.assignmentId(), Money.ofCents(150), "r", "b1");
        assertThat(m.balance()).as("$1.50 and MTurk's 20 %").isEqualTo(Money.ofCents(999_820));
    }

    @Test
    void signatureVersionTwoSignsWithSha256AndTheCertificateVerifiesIt() throws Exception {
        SnsSigner signer = new SnsSigner("2");
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Type", "Notification");
        m.put("MessageId", "m-1");
        m.put("TopicArn", "arn:aws:sns:us-east-1:1:t");
        m.put("Message", "{\"Events\":[]}");
        m.put("Timestamp", "2026-05-01T12:00:00.000Z");
        m.put("SignatureVersion", "2");
        m.put("Signature", signer.sign(m));
        Signature check = Signature.getInstance("SHA256withRSA");
        check.initVerify(signer.certificate().getPublicKey());
        check.update(("Message\n{\"Events\":[]}\nMessageId\nm-1\nTimestamp\n2026-05-01T12:00:00.000Z\nTopicArn\n"
                + "arn:aws:sns:us-east-1:1:t\nType\nNotification\n").getBytes());
        assertThat(check.verify(Base64.getDecoder().decode(m.get("Signature")))).isTrue();
        assertThat(SnsSigner.verify(m, signer.certificate().getPublicKey())).isTrue();
        m.put("Subject", "added later");
        assertThat(SnsSigner.verify(m, signer.certificate().getPublicKey())).isFalse();
        assertThat(signer.certificatePem()).startsWith("-----BEGIN CERTIFICATE-----");
        signer.certificate().checkValidity();
    }

    @Test
    void aRelativeNotifyUrlIsTakenAgainstTheServer() {
        assertThat(LocalMarketplaceConfiguration.subscriber(null, "http://localhost:8080"))
                .isEqualTo(URI.create("http://localhost:8080/api/from_mturk"));
        assertThat(LocalMarketplaceConfiguration.subscriber(URI.create("/r"), "http://localhost:8080"))
                .isEqualTo(URI.create("http://localhost:8080/r"));
        assertThat(LocalMarketplaceConfiguration.subscriber(URI.create("https://x.example/in"), "http://localhost:1"))
                .isEqualTo(URI.create("https://x.example/in"));
    }

    /** The question parser is reused per thread: a refused document must not spoil the next one. */
    @Test
    void aReusedQuestionParserRefusesBadDocumentsAndStillReadsGoodOnes() {
        String good = LocalTestSupport.externalQuestion("https://example.org/task?a=1&b=2");
        assertThat(LocalMarketplace.parseQuestion(good)).isEqualTo("https://example.org/task?a=1&b=2");
        assertThatThrownBy(() -> LocalMarketplace.parseQuestion("<ExternalQuestion><ExternalURL>"))
                .isInstanceOfSatisfying(LocalMarketplaceException.class,
                        e -> assertThat(e.getMessage()).isNotBlank());
        assertThatThrownBy(() -> LocalMarketplace.parseQuestion(
                "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><ExternalQuestion/>"))
                .isInstanceOf(LocalMarketplaceException.class);
        assertThat(LocalMarketplace.parseQuestion(good)).isEqualTo("https://example.org/task?a=1&b=2");
    }
}
