package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.local.LocalMarketplace.WorkerAction;
import org.pavilion.session.MutableClock;

/**
 * Qualification types of the local marketplace and the requirements that use them: checked when a
 * HIT type is created, and enforced for workers (hidden, not previewable, refused at accept).
 */
class LocalQualificationRulesTest {

    private final LocalMarketplace m = new LocalMarketplace(LocalMarketplaceProperties.defaults(),
            new MutableClock(Instant.parse("2026-05-01T12:00:00Z")));

    private int hits;

    private LocalMarketplace.HitView hit(String requirementsJson) {
        LocalMarketplace.HitType type = m.createHitType(new LocalMarketplace.HitTypeSpec("Task " + ++hits,
                "A task", null, new BigDecimal("0.25"), 600, 3600, requirementsJson));
        return m.createHit(type.hitTypeId(), 600, 5, LocalTestSupport.externalQuestion("https://t.example/a"),
                null, null);
    }

    private String type(String name) {
        return m.createQualificationType(name, "Workers owed pay", null, "Active", false, null).qualificationTypeId();
    }

    private static String exists(String typeId, String guarded) {
        return "[{\"QualificationTypeId\":\"" + typeId + "\",\"Comparator\":\"Exists\""
                + (guarded == null ? "" : ",\"ActionsGuarded\":\"" + guarded + "\"") + "}]";
    }

    @Test
    void aHitForQualifiedWorkersIsHiddenFromOthersAndRefusedToThem() {
        String typeId = type("Pavilion compensation");
        LocalMarketplace.HitView h = hit(exists(typeId, "DiscoverPreviewAndAccept"));

        assertThat(m.openHitsFor("OUTSIDER")).extracting(LocalMarketplace.HitView::hitId).doesNotContain(h.hitId());
        assertThat(m.openHitsFor(null)).as("a visitor holds nothing").extracting(LocalMarketplace.HitView::hitId)
                .doesNotContain(h.hitId());
        assertThat(m.openHits()).as("the requester's view lists it").extracting(LocalMarketplace.HitView::hitId)
                .contains(h.hitId());
        assertThat(m.previewUrl(h.hitId(), "OUTSIDER")).isEmpty();
        assertThatThrownBy(() -> m.accept("OUTSIDER", h.hitId())).isInstanceOfSatisfying(
                LocalMarketplaceException.class, e -> {
                    assertThat(e.turkErrorCode()).isEqualTo(LocalMarketplace.QUALIFICATIONS_NOT_MET);
                    assertThat(e.httpStatus()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("Pavilion compensation").contains(typeId);
                });
        assertThat(m.getHit(h.hitId()).available()).as("nothing changed").isEqualTo(5);
        assertThat(m.assignmentsOf("OUTSIDER")).isEmpty();

        m.associateQualification(typeId, "OWED", 1);
        assertThat(m.openHitsFor("OWED")).extracting(LocalMarketplace.HitView::hitId).contains(h.hitId());
        assertThat(m.previewUrl(h.hitId(), "OWED")).isPresent();
        assertThat(m.accept("OWED", h.hitId()).workerId()).isEqualTo("OWED");
        assertThat(m.qualificationsOf("OWED")).extracting(LocalMarketplace.WorkerQualification::name)
                .containsExactly("Pavilion compensation");
        assertThat(m.qualificationsOf("OUTSIDER")).isEmpty();
    }

    @Test
    void actionsGuardedDecidesWhatAWorkerWithoutTheQualificationMayDo() {
        String typeId = type("Guarded");
        LocalMarketplace.HitView acceptOnly = hit(exists(typeId, null));
        LocalMarketplace.HitView previewToo = hit(exists(typeId, "PreviewAndAccept"));
        LocalMarketplace.HitView legacy = hit("[{\"QualificationTypeId\":\"" + typeId
                + "\",\"Comparator\":\"Exists\",\"RequiredToPreview\":true}]");

        assertThat(m.allows("W", acceptOnly.hitId(), WorkerAction.DISCOVER)).isTrue();
        assertThat(m.allows("W", acceptOnly.hitId(), WorkerAction.PREVIEW)).isTrue();
        assertThat(m.allows("W", acceptOnly.hitId(), WorkerAction.ACCEPT)).isFalse();
        assertThat(m.allows("W", previewToo.hitId(), WorkerAction.DISCOVER)).isTrue();
        assertThat(m.allows("W", previewToo.hitId(), WorkerAction.PREVIEW)).isFalse();
        assertThat(m.allows("W", legacy.hitId(), WorkerAction.PREVIEW)).isFalse();
        assertThat(m.openHitsFor("W")).extracting(LocalMarketplace.HitView::hitId)
                .contains(acceptOnly.hitId(), previewToo.hitId());
        assertThatThrownBy(() -> m.accept("W", acceptOnly.hitId())).isInstanceOf(LocalMarketplaceException.class);
    }

    @Test
    void comparatorsAreAppliedToTheWorkersValue() {
        String level = type("Level");
        LocalMarketplace.HitView atLeastThree = hit("[{\"QualificationTypeId\":\"" + level
                + "\",\"Comparator\":\"GreaterThanOrEqualTo\",\"IntegerValues\":[3]}]");
        LocalMarketplace.HitView notYet = hit("[{\"QualificationTypeId\":\"" + level
                + "\",\"Comparator\":\"DoesNotExist\"}]");
        LocalMarketplace.HitView oneOf = hit("[{\"QualificationTypeId\":\"" + level
                + "\",\"Comparator\":\"In\",\"IntegerValues\":[1,2]}]");
        m.associateQualification(level, "LOW", 2);
        m.associateQualification(level, "HIGH", 3);

        assertThat(m.allows("LOW", atLeastThree.hitId(), WorkerAction.ACCEPT)).isFalse();
        assertThat(m.allows("HIGH", atLeastThree.hitId(), WorkerAction.ACCEPT)).isTrue();
        assertThat(m.allows("NEW", atLeastThree.hitId(), WorkerAction.ACCEPT)).as("no value: not met").isFalse();
        assertThat(m.allows("NEW", notYet.hitId(), WorkerAction.ACCEPT)).isTrue();
        assertThat(m.allows("LOW", notYet.hitId(), WorkerAction.ACCEPT)).isFalse();
        assertThat(m.allows("LOW", oneOf.hitId(), WorkerAction.ACCEPT)).isTrue();
        assertThat(m.allows("HIGH", oneOf.hitId(), WorkerAction.ACCEPT)).isFalse();

        m.associateQualification(level, "LOW", 5); // a new value replaces the old one
        assertThat(m.allows("LOW", atLeastThree.hitId(), WorkerAction.ACCEPT)).isTrue();
        assertThat(m.qualificationsOf("LOW")).singleElement().extracting(LocalMarketplace.WorkerQualification::value)
                .isEqualTo(5);
    }

    @Test
    void anAutoGrantedTypeCountsAsHeldAndSystemQualificationsAsMet() {
        String open = m.createQualificationType("Open to all", "Anyone may ask", null, "Active", true, 7)
                .qualificationTypeId();
        LocalMarketplace.HitView h = hit("[{\"QualificationTypeId\":\"" + open
                + "\",\"Comparator\":\"EqualTo\",\"IntegerValues\":[7],\"ActionsGuarded\":\"DiscoverPreviewAndAccept\"},"
                + "{\"QualificationTypeId\":\"000000000000000000L0\",\"Comparator\":\"GreaterThanOrEqualTo\","
                + "\"IntegerValues\":[99],\"ActionsGuarded\":\"DiscoverPreviewAndAccept\"},"
                + "{\"QualificationTypeId\":\"00000000000000000071\",\"Comparator\":\"EqualTo\","
                + "\"LocaleValues\":[{\"Country\":\"US\"}]}]");
        assertThat(m.allows("ANYONE", h.hitId(), WorkerAction.ACCEPT)).isTrue();
        assertThat(m.accept("ANYONE", h.hitId()).workerId()).isEqualTo("ANYONE");
    }

    @Test
    void qualificationTypesHaveUniqueNamesAndCheckedFields() {
        type("Unique");
        assertThatThrownBy(this::duplicate).isInstanceOfSatisfying(LocalMarketplaceException.class,
                e -> assertThat(e.turkErrorCode()).isEqualTo("AWS.MechanicalTurk.QualificationTypeAlreadyExists"));
        assertThatThrownBy(() -> m.createQualificationType(" ", "d", null, "Active", false, null))
                .isInstanceOf(LocalMarketplaceException.class).hasMessageContaining("Name");
        assertThatThrownBy(() -> m.createQualificationType("No description", "", null, "Active", false, null))
                .isInstanceOf(LocalMarketplaceException.class).hasMessageContaining("Description");
        assertThatThrownBy(() -> m.createQualificationType("Bad status", "d", null, "Open", false, null))
                .isInstanceOf(LocalMarketplaceException.class).hasMessageContaining("QualificationTypeStatus");
        assertThatThrownBy(() -> m.associateQualification("3NOSUCHTYPE", "W1", 1))
                .isInstanceOfSatisfying(LocalMarketplaceException.class, e -> assertThat(e.turkErrorCode())
                        .isEqualTo(LocalMarketplace.QUALIFICATION_TYPE_DOES_NOT_EXIST));
        assertThatThrownBy(() -> m.associateQualification(m.listQualificationTypes("Unique").get(0)
                .qualificationTypeId(), "bad worker id!", 1)).isInstanceOf(LocalMarketplaceException.class);
        assertThat(m.listQualificationTypes("uniq")).extracting(LocalMarketplace.QualificationType::name)
                .containsExactly("Unique");
        assertThat(m.listQualificationTypes("nothing like it")).isEmpty();
    }

    private void duplicate() {
        type("Unique");
    }

    @Test
    void requirementsAreCheckedWhenTheHitTypeIsCreated() {
        String typeId = type("Checked");
        assertRefused("[{\"QualificationTypeId\":\"3NOSUCHTYPE0000\",\"Comparator\":\"Exists\"}]",
                "does not exist");
        assertRefused("[{\"QualificationTypeId\":\"" + typeId + "\",\"Comparator\":\"Exists\",\"IntegerValues\":[1]}]",
                "takes no values");
        assertRefused("[{\"QualificationTypeId\":\"" + typeId + "\",\"Comparator\":\"GreaterThan\"}]",
                "exactly one value");
        assertRefused("[{\"QualificationTypeId\":\"" + typeId + "\",\"Comparator\":\"Resembles\"}]", "Comparator");
        assertRefused("[{\"QualificationTypeId\":\"" + typeId + "\",\"Comparator\":\"Exists\","
                + "\"ActionsGuarded\":\"Everything\"}]", "ActionsGuarded");
        assertRefused("[{\"QualificationTypeId\":\"" + typeId + "\",\"Comparator\":\"Exists\","
                + "\"ActionsGuarded\":\"Accept\",\"RequiredToPreview\":true}]", "RequiredToPreview");
        assertRefused("[{\"Comparator\":\"Exists\"}]", "QualificationTypeId");
        assertRefused("{\"QualificationTypeId\":\"" + typeId + "\"}", "must be a list");
        assertThat(m.hitCount()).isZero();
    }

    private void assertRefused(String requirementsJson, String because) {
        assertThatThrownBy(() -> hit(requirementsJson)).isInstanceOf(LocalMarketplaceException.class)
                .hasMessageContaining(because);
    }
}
