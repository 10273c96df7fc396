package org.pavilion.admin.pay;

import java.util.Map;

import org.pavilion.admin.projects.ApiError;
import org.pavilion.project.UnknownProjectException;
import org.pavilion.queue.PavilionException;
import org.pavilion.session.UnknownSessionException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * The payments API's errors as {@link ApiError}s, like the projects API's: 404 unknown session, project or
 * payout (and an id in the path that is not a number), 400 a bad decision (with {@code fields} naming the
 * input at fault) or an unreadable body.
 */
@RestControllerAdvice(assignableTypes = {PaymentsApiController.class, PaymentsExportController.class})
@Order(Ordered.HIGHEST_PRECEDENCE)
class PaymentsApiErrors {

    @ExceptionHandler({UnknownSessionException.class, UnknownProjectException.class, UnknownPayoutException.class})
    ResponseEntity<ApiError> unknown(PavilionException e) {
        return body(HttpStatus.NOT_FOUND, ApiError.of(e.code(), e.getMessage()));
    }

    @ExceptionHandler(BadDecisionException.class)
    ResponseEntity<ApiError> bad(BadDecisionException e) {
        return body(HttpStatus.BAD_REQUEST, new ApiError(e.code(), e.getMessage(),
                e.field() == null ? Map.of() : Map.of(e.field(), e.getMessage())));
    }

    @ExceptionHandler(PavilionException.class)
    ResponseEntity<ApiError> refused(PavilionException e) {
        return body(HttpStatus.BAD_REQUEST, ApiError.of(e.code(), e.getMessage()));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ApiError> unreadable(HttpMessageNotReadableException e) {
        return body(HttpStatus.BAD_REQUEST, ApiError.of("malformed_request",
                "the body is not JSON (expected an object such as {\"payoutId\": 17, \"feedback\": \"…\"})"));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ApiError> mediaType(HttpMediaTypeNotSupportedException e) {
        return body(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ApiError.of("unsupported_media_type",
                "send the body as application/json"));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ApiError> badId(MethodArgumentTypeMismatchException e) {
        return body(HttpStatus.NOT_FOUND, ApiError.of("not_found", "'" + e.getName() + "' must be a number"));
    }

    private static ResponseEntity<ApiError> body(HttpStatus status, ApiError error) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(error);
    }
}
