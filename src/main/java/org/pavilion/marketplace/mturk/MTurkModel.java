package org.pavilion.marketplace.mturk;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.annotation.JsonSerialize;

/**
 * The documents of MTurk's Requester API (2017-01-17, AWS JSON 1.1) that Pavilion exchanges, with
 * MTurk's exact member names. Absent ({@code null}) members are not written. Timestamps travel as
 * epoch seconds (a JSON number, possibly fractional) and are {@link Instant}s here; currency
 * amounts are strings in US dollars ({@code "0.50"}).
 *
 * <p>Public so that anything speaking the same API (the local marketplace) can share them.
 */
public final class MTurkModel {

    /** The JSON 1.1 target prefix: {@code X-Amz-Target: MTurkRequesterServiceV20170117.<Operation>}. */
    public static final String TARGET_PREFIX = "MTurkRequesterServiceV20170117.";
    /** The SigV4 signing name of the Requester API. */
    public static final String SIGNING_NAME = "mturk-requester";
    public static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    /** Notification API version MTurk expects in a NotificationSpecification. */
    public static final String NOTIFICATION_VERSION = "2006-05-05";
    /** Qualification requirements guard discovery, preview and accept. */
    public static final String DISCOVER_PREVIEW_AND_ACCEPT = "DiscoverPreviewAndAccept";
    /** MTurk's TurkErrorCode for a UniqueRequestToken already used by SendBonus (and other non-create calls). */
    public static final String DUPLICATE_REQUEST = "AWS.MechanicalTurk.DuplicateRequest";
    /** MTurk's TurkErrorCode for a second qualification type of the same name. */
    public static final String QUALIFICATION_TYPE_ALREADY_EXISTS = "AWS.MechanicalTurk.QualificationTypeAlreadyExists";

    private MTurkModel() {
    }

    // ---------------------------------------------------------------- shared structures

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record QualificationRequirement(
            @JsonProperty("QualificationTypeId") String qualificationTypeId,
            @JsonProperty("Comparator") String comparator,
            @JsonProperty("IntegerValues") List<Integer> integerValues,
            @JsonProperty("LocaleValues") List<Locale> localeValues,
            @JsonProperty("ActionsGuarded") String actionsGuarded) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Locale(@JsonProperty("Country") String country,
                         @JsonProperty("Subdivision") String subdivision) {
        public static Locale country(String country) {
            return new Locale(country, null);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record NotificationSpecification(
            @JsonProperty("Destination") String destination,
            @JsonProperty("Transport") String transport,
            @JsonProperty("Version") String version,
            @JsonProperty("EventTypes") List<String> eventTypes) {
    }

    /** The HIT data structure as MTurk returns it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record HIT(
            @JsonProperty("HITId") String hitId,
            @JsonProperty("HITTypeId") String hitTypeId,
            @JsonProperty("HITGroupId") String hitGroupId,
            @JsonProperty("HITLayoutId") String hitLayoutId,
            @JsonProperty("CreationTime") @JsonSerialize(using = EpochSeconds.Writer.class)
            @JsonDeserialize(using = EpochSeconds.Reader.class) Instant creationTime,
            @JsonProperty("Title") String title,
            @JsonProperty("Description") String description,
            @JsonProperty("Question") String question,
            @JsonProperty("Keywords") String keywords,
            @JsonProperty("HITStatus") String hitStatus,
            @JsonProperty("MaxAssignments") Integer maxAssignments,
            @JsonProperty("Reward") String reward,
            @JsonProperty("AutoApprovalDelayInSeconds") Long autoApprovalDelayInSeconds,
            @JsonProperty("Expiration") @JsonSerialize(using = EpochSeconds.Writer.class)
            @JsonDeserialize(using = EpochSeconds.Reader.class) Instant expiration,
            @JsonProperty("AssignmentDurationInSeconds") Long assignmentDurationInSeconds,
            @JsonProperty("RequesterAnnotation") String requesterAnnotation,
            @JsonProperty("QualificationRequirements") List<QualificationRequirement> qualificationRequirements,
            @JsonProperty("HITReviewStatus") String hitReviewStatus,
            @JsonProperty("NumberOfAssignmentsPending") Integer numberOfAssignmentsPending,
            @JsonProperty("NumberOfAssignmentsAvailable") Integer numberOfAssignmentsAvailable,
            @JsonProperty("NumberOfAssignmentsCompleted") Integer numberOfAssignmentsCompleted) {
    }

    /** The Assignment data structure as MTurk returns it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Assignment(
            @JsonProperty("AssignmentId") String assignmentId,
            @JsonProperty("WorkerId") String workerId,
            @JsonProperty("HITId") String hitId,
            @JsonProperty("AssignmentStatus") String assignmentStatus,
            @JsonProperty("AutoApprovalTime") @JsonSerialize(using = EpochSeconds.Writer.class)
            @JsonDeserialize(using = EpochSeconds.Reader.class) Instant autoApprovalTime,
            @JsonProperty("AcceptTime") @JsonSerialize(using = EpochSeconds.Writer.class)
            @JsonDeserialize(using = EpochSeconds.Reader.class) Instant acceptTime,
            @JsonProperty("SubmitTime") @JsonSerialize(using = EpochSeconds.Writer.class)
            @JsonDeserialize(using = EpochSeconds.Reader.class) Instant submitTime,
            @JsonProperty("ApprovalTime") @JsonSerialize(using = EpochSeconds.Writer.class)
            @JsonDeserialize(using = EpochSeconds.Reader.class) Instant approvalTime,
            @JsonProperty("RejectionTime") @JsonSerialize(using = EpochSeconds.Writer.class)
            @JsonDeserialize(using = EpochSeconds.Reader.class) Instant rejectionTime,
            @JsonProperty("Deadline") @JsonSerialize(using = EpochSeconds.Writer.class)
            @JsonDeserialize(using = EpochSeconds.Reader.class) Instant deadline,
            @JsonProperty("Answer") String answer,
            @JsonProperty("RequesterFeedback") String requesterFeedback) {
    }

    /** An operation whose request or response has no members: {@code {}}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Empty() {
        public static final Empty INSTANCE = new Empty();
    }

    // ---------------------------------------------------------------- operations

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CreateHITTypeRequest(
            @JsonProperty("AutoApprovalDelayInSeconds") Long autoApprovalDelayInSeconds,
            @JsonProperty("AssignmentDurationInSeconds") Long assignmentDurationInSeconds,
            @JsonProperty("Reward") String reward,
            @JsonProperty("Title") String title,
            @JsonProperty("Keywords") String keywords,
            @JsonProperty("Description") String description,
            @JsonProperty("QualificationRequirements") List<QualificationRequirement> qualificationRequirements) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CreateHITTypeResponse(@JsonProperty("HITTypeId") String hitTypeId) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CreateHITWithHITTypeRequest(
            @JsonProperty("HITTypeId") String hitTypeId,
            @JsonProperty("MaxAssignments") Integer maxAssignments,
            @JsonProperty("LifetimeInSeconds") Long lifetimeInSeconds,
            @JsonProperty("Question") String question,
            @JsonProperty("RequesterAnnotation") String requesterAnnotation,
            @JsonProperty("UniqueRequestToken") String uniqueRequestToken) {
    }

    /** CreateHITWithHITType, CreateHIT and GetHIT all answer {@code {"HIT": {...}}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record HITResponse(@JsonProperty("HIT") HIT hit) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record GetHITRequest(@JsonProperty("HITId") String hitId) {
    }

    /** ListHITs: every HIT of the requester, of any status but deleted, a page at a time (MaxResults 1 to 100). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ListHITsRequest(
            @JsonProperty("NextToken") String nextToken,
            @JsonProperty("MaxResults") Integer maxResults) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ListHITsResponse(
            @JsonProperty("NextToken") String nextToken,
            @JsonProperty("NumResults") Integer numResults,
            @JsonProperty("HITs") List<HIT> hits) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record UpdateExpirationForHITRequest(
            @JsonProperty("HITId") String hitId,
            @JsonProperty("ExpireAt") @JsonSerialize(using = EpochSeconds.Writer.class)
            @JsonDeserialize(using = EpochSeconds.Reader.class) Instant expireAt) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record UpdateNotificationSettingsRequest(
            @JsonProperty("HITTypeId") String hitTypeId,
            @JsonProperty("Notification") NotificationSpecification notification,
            @JsonProperty("Active") Boolean active) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SendTestEventNotificationRequest(
            @JsonProperty("Notification") NotificationSpecification notification,
            @JsonProperty("TestEventType") String testEventType) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ListAssignmentsForHITRequest(
            @JsonProperty("HITId") String hitId,
            @JsonProperty("NextToken") String nextToken,
            @JsonProperty("MaxResults") Integer maxResults,
            @JsonProperty("AssignmentStatuses") List<String> assignmentStatuses) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ListAssignmentsForHITResponse(
            @JsonProperty("NextToken") String nextToken,
            @JsonProperty("NumResults") Integer numResults,
            @JsonProperty("Assignments") List<Assignment> assignments) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record GetAssignmentRequest(@JsonProperty("AssignmentId") String assignmentId) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record GetAssignmentResponse(@JsonProperty("Assignment") Assignment assignment,
                                        @JsonProperty("HIT") HIT hit) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ApproveAssignmentRequest(
            @JsonProperty("AssignmentId") String assignmentId,
            @JsonProperty("RequesterFeedback") String requesterFeedback,
            @JsonProperty("OverrideRejection") Boolean overrideRejection) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RejectAssignmentRequest(
            @JsonProperty("AssignmentId") String assignmentId,
            @JsonProperty("RequesterFeedback") String requesterFeedback) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SendBonusRequest(
            @JsonProperty("WorkerId") String workerId,
            @JsonProperty("BonusAmount") String bonusAmount,
            @JsonProperty("AssignmentId") String assignmentId,
            @JsonProperty("Reason") String reason,
            @JsonProperty("UniqueRequestToken") String uniqueRequestToken) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record GetAccountBalanceResponse(
            @JsonProperty("AvailableBalance") String availableBalance,
            @JsonProperty("OnHoldBalance") String onHoldBalance) {
    }

    /** ListBonusPayments: exactly one of HITId and AssignmentId; MaxResults 1 to 100. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ListBonusPaymentsRequest(
            @JsonProperty("HITId") String hitId,
            @JsonProperty("AssignmentId") String assignmentId,
            @JsonProperty("NextToken") String nextToken,
            @JsonProperty("MaxResults") Integer maxResults) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ListBonusPaymentsResponse(
            @JsonProperty("NumResults") Integer numResults,
            @JsonProperty("NextToken") String nextToken,
            @JsonProperty("BonusPayments") List<BonusPayment> bonusPayments) {
    }

    /** The BonusPayment data structure. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record BonusPayment(
            @JsonProperty("WorkerId") String workerId,
            @JsonProperty("BonusAmount") String bonusAmount,
            @JsonProperty("AssignmentId") String assignmentId,
            @JsonProperty("Reason") String reason,
            @JsonProperty("GrantTime") @JsonSerialize(using = EpochSeconds.Writer.class)
            @JsonDeserialize(using = EpochSeconds.Reader.class) Instant grantTime) {
    }

    /** QualificationTypeStatus values. */
    public static final String QUALIFICATION_ACTIVE = "Active";
    public static final String QUALIFICATION_INACTIVE = "Inactive";

    /** The QualificationType data structure (the members Pavilion reads or the local marketplace writes). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record QualificationType(
            @JsonProperty("QualificationTypeId") String qualificationTypeId,
            @JsonProperty("CreationTime") @JsonSerialize(using = EpochSeconds.Writer.class)
            @JsonDeserialize(using = EpochSeconds.Reader.class) Instant creationTime,
            @JsonProperty("Name") String name,
            @JsonProperty("Description") String description,
            @JsonProperty("Keywords") String keywords,
            @JsonProperty("QualificationTypeStatus") String qualificationTypeStatus,
            @JsonProperty("IsRequestable") Boolean isRequestable,
            @JsonProperty("AutoGranted") Boolean autoGranted,
            @JsonProperty("AutoGrantedValue") Integer autoGrantedValue) {
    }

    /** CreateQualificationType, without a test (Test, AnswerKey, TestDurationInSeconds are not used). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CreateQualificationTypeRequest(
            @JsonProperty("Name") String name,
            @JsonProperty("Keywords") String keywords,
            @JsonProperty("Description") String description,
            @JsonProperty("QualificationTypeStatus") String qualificationTypeStatus,
            @JsonProperty("AutoGranted") Boolean autoGranted) {
    }

    /** CreateQualificationType and GetQualificationType answer {@code {"QualificationType": {...}}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record QualificationTypeResponse(@JsonProperty("QualificationType") QualificationType qualificationType) {
    }

    /** ListQualificationTypes; MustBeRequestable is required by MTurk. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ListQualificationTypesRequest(
            @JsonProperty("Query") String query,
            @JsonProperty("MustBeRequestable") Boolean mustBeRequestable,
            @JsonProperty("MustBeOwnedByCaller") Boolean mustBeOwnedByCaller,
            @JsonProperty("NextToken") String nextToken,
            @JsonProperty("MaxResults") Integer maxResults) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ListQualificationTypesResponse(
            @JsonProperty("NumResults") Integer numResults,
            @JsonProperty("NextToken") String nextToken,
            @JsonProperty("QualificationTypes") List<QualificationType> qualificationTypes) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record AssociateQualificationWithWorkerRequest(
            @JsonProperty("QualificationTypeId") String qualificationTypeId,
            @JsonProperty("WorkerId") String workerId,
            @JsonProperty("IntegerValue") Integer integerValue,
            @JsonProperty("SendNotification") Boolean sendNotification) {
    }

    /** The body of an error answer: {@code {"__type": "com.amazonaws.mturk#RequestError", "Message": ..., "TurkErrorCode": ...}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ErrorResponse(
            @JsonProperty("__type") String type,
            @JsonProperty("Message") String message,
            @JsonProperty("TurkErrorCode") String turkErrorCode) {
    }

    // ---------------------------------------------------------------- values


    /**
     * Timestamps as AWS JSON protocols carry them: epoch seconds, a number with an optional fraction
     * (milliseconds in practice). Reads also accept a numeric or ISO-8601 string, to be lenient.
     */
    public static final class EpochSeconds {

        private EpochSeconds() {
        }

        public static BigDecimal of(Instant instant) {
            BigDecimal seconds = BigDecimal.valueOf(instant.getEpochSecond());
            if (instant.getNano() == 0) {
                return seconds;
            }
            return seconds.add(BigDecimal.valueOf(instant.getNano(), 9)).stripTrailingZeros();
        }

        public static Instant toInstant(BigDecimal seconds) {
            BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
            long nanos = seconds.subtract(whole).movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
            return Instant.ofEpochSecond(whole.longValueExact(), nanos);
        }

        public static final class Writer extends ValueSerializer<Instant> {
            @Override
            public void serialize(Instant value, JsonGenerator gen, SerializationContext ctxt) throws JacksonException {
                if (value.getNano() == 0) {
                    gen.writeNumber(value.getEpochSecond());
                } else {
                    gen.writeNumber(of(value));
                }
            }
        }

        public static final class Reader extends ValueDeserializer<Instant> {
            @Override
            public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws JacksonException {
                JsonToken token = p.currentToken();
                if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                    return toInstant(p.getDecimalValue());
                }
                if (token == JsonToken.VALUE_STRING) {
                    String text = p.getString().trim();
                    if (text.isEmpty()) {
                        return null;
                    }
                    try {
                        return toInstant(new BigDecimal(text));
                    } catch (NumberFormatException notNumeric) {
                        try {
                            return Instant.parse(text);
                        } catch (DateTimeParseException e) {
                            return (Instant) ctxt.handleWeirdStringValue(Instant.class, text,
                                    "not epoch seconds nor an ISO-8601 instant");
                        }
                    }
                }
                return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
            }
        }
    }
}
