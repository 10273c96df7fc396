package org.pavilion.admin.projects;

import org.pavilion.admin.export.SessionExportController;
import org.pavilion.project.UnknownProjectException;
import org.pavilion.project.UnknownTaskException;
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
 * Errors of the projects/tasks API and of the session exports as JSON {@link ApiError}s:
 * 400 (validation, malformed body), 404 (unknown project, task or session), 409 (a posted task
 * cannot be deleted).
 */
@RestControllerAdvice(assignableTypes = {ProjectsApiController.class, SessionExportController.class,
        org.pavilion.admin.export.ProjectExportController.class, EligibilityApiController.class})
@Order(Ordered.HIGHEST_PRECEDENCE)
public class AdminApiErrors {

    @ExceptionHandler(ValidationFailedException.class)
    ResponseEntity<ApiError> invalid(ValidationFailedException e) {
        return body(HttpStatus.BAD_REQUEST, new ApiError(e.code(), e.getMessage(), e.fields()));
    }

    @ExceptionHandler({UnknownProjectException.class, UnknownTaskException.class, UnknownSessionException.class})
    ResponseEntity<ApiError> unknown(PavilionException e) {
        return body(HttpStatus.NOT_FOUND, ApiError.of(e.code(), e.getMessage()));
    }

    @ExceptionHandler(TaskPostedException.class)
    ResponseEntity<ApiError> posted(TaskPostedException e) {
        return body(HttpStatus.CONFLICT, ApiError.of(e.code(), e.getMessage()));
    }

    @ExceptionHandler(PavilionException.class)
    ResponseEntity<ApiError> refused(PavilionException e) {
        return body(HttpStatus.BAD_REQUEST, ApiError.of(e.code(), e.getMessage()));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ApiError> unreadable(HttpMessageNotReadableException e) {
        return body(HttpStatus.BAD_REQUEST, ApiError.of("malformed_request",
                "the request body is not a JSON object of the expected shape"));
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
