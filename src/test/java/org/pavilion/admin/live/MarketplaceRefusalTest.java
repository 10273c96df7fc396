package org.pavilion.admin.live;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.marketplace.mturk.MTurkErrors;
import org.pavilion.marketplace.mturk.MTurkException;
import tools.jackson.databind.json.JsonMapper;

/** MTurk's answers to a Go live, as the researcher reads them: the field, what to change, no internal numbers. */
class MarketplaceRefusalTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** MTurk's error document, through the real client's parsing. */
    private static MTurkException mturk(String operation, int status, String type, String message, String turkCode) {
        String body = "{\"__type\":\"com.amazonaws.mturk#" + type + "\",\"Message\":\"" + message + "\""
                + (turkCode == null ? "" : ",\"TurkErrorCode\":\"" + turkCode + "\"") + "}";
        return MTurkErrors.fromResponse(operation, status, null, "5b7f0c1e-1111-2222-3333-444455556666", body, JSON);
    }

    @Test
    void anEmptyDescriptionIsToldAsTheDescriptionFieldAndWhatItMustBe() {
        MarketplaceRefusal r = MarketplaceRefusal.of(mturk("CreateHITType", 400, "RequestError",
                "Description is required and must be at most 2000 characters (1764775200123)",
                "AWS.MechanicalTurk.InvalidParameterValue"));
        assertThat(r.field()).isEqualTo("description");
        assertThat(r.message()).isEqualTo("Not posted: the marketplace refused the task's Description "
                + "(\u201cDescription is required and must be at most 2000 characters\u201d). Edit the task and change "
                + "Description (required, at most 2000 characters), then go live again.");
        assertThat(r.message()).doesNotContain("1764775200123", "AWS.MechanicalTurk", "5b7f0c1e", "RequestError");
    }

    @Test
    void eachNamedParameterIsTheFormsField() {
        assertThat(MarketplaceRefusal.of(mturk("CreateHITType", 400, "RequestError",
                "Value for Reward is below the minimum", null)).field()).isEqualTo("reward");
        assertThat(MarketplaceRefusal.of(mturk("CreateHITWithHITType", 400, "RequestError",
                "LifetimeInSeconds must be between 30 and 31536000 (1764775200123)",
                "AWS.MechanicalTurk.InvalidParameterValue")).field()).isEqualTo("lifetimeHours");
        assertThat(MarketplaceRefusal.of(mturk("CreateHITType", 400, "RequestError",
                "AssignmentDurationInSeconds must be between 30 and 31536000", null)).field())
                .isEqualTo("timeLimitMinutes");
        assertThat(MarketplaceRefusal.of(mturk("CreateHITWithHITType", 400, "RequestError",
                "The ExternalQuestion's ExternalURL must use https", null)).field()).isEqualTo("externalUrl");
    }

    @Test
    void aRepeatedClickGetsTheSameWordsFromTheStoredError() {
        // what MarketplaceService throws for a click whose go-live already failed: the stored "code: message"
        MarketplaceException stored = new MarketplaceException("GoLiveFailed", "this go-live failed: RequestError: "
                + "MTurk CreateHITType refused: Title is required and must be at most 128 characters (1764775200123) "
                + "[AWS.MechanicalTurk.InvalidParameterValue]", false);
        MarketplaceRefusal r = MarketplaceRefusal.of(stored);
        assertThat(r.field()).isEqualTo("title");
        assertThat(r.message()).contains("\u201cTitle is required and must be at most 128 characters\u201d")
                .doesNotContain("1764775200123", "go-live failed", "RequestError");
    }

    @Test
    void fundsCredentialsAndOutagesAreToldWithWhatToDo() {
        assertThat(MarketplaceRefusal.of(mturk("CreateHITWithHITType", 400, "RequestError",
                "Your account balance is insufficient", "AWS.MechanicalTurk.InsufficientFunds")).message())
                .startsWith("Not posted: the marketplace account's balance cannot pay").contains("Add funds");
        assertThat(MarketplaceRefusal.of(MTurkErrors.fromResponse("CreateHITType", 403, null, null,
                "{\"__type\":\"UnrecognizedClientException\",\"message\":\"bad key\"}", JSON)).message())
                .contains("did not accept this server's credentials");
        assertThat(MarketplaceRefusal.of(mturk("CreateHITType", 400, "ServiceFault", "Internal error (1764775200123)",
                "AWS.MechanicalTurk.ServiceFault")).message())
                .isEqualTo("Not posted: the marketplace is busy or unavailable right now (Internal error). Nothing "
                        + "was posted; go live again in a few minutes.");
    }

    @Test
    void anythingElseIsTheMarketplacesOwnWordsWithoutItsNumbers() {
        MarketplaceRefusal r = MarketplaceRefusal.of(mturk("CreateHITType", 400, "RequestError",
                "This Requester is not permitted to create HITs at this time (1764775200123)",
                "AWS.MechanicalTurk.PermissionDenied"));
        assertThat(r.field()).isNull();
        assertThat(r.message()).isEqualTo("Not posted: the marketplace refused the task (\u201cThis Requester is not "
                + "permitted to create HITs at this time\u201d). Nothing was posted; change the task as it says, then "
                + "go live again.");
    }
}
