package org.pavilion.admin.live;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.project.UnknownTaskException;
import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.queue.PavilionException;
import org.pavilion.queue.SessionEndedException;
import org.pavilion.session.SessionStorageException;
import org.pavilion.session.UnknownSessionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/** The live API's errors as {@code {"error", "message"}} with the fitting status. */
@RestControllerAdvice(assignableTypes = LiveSessionApiController.class)
class LiveApiErrors {

    private static final Logger log = LoggerFactory.getLogger(LiveApiErrors.class);

    @ExceptionHandler(UnknownSessionException.class)
    ResponseEntity<Map<String, Object>> unknownSession(UnknownSessionException e) {
        return error(HttpStatus.NOT_FOUND, e.code(), e.getMessage());
    }

    @ExceptionHandler(UnknownWorkerException.class)
    ResponseEntity<Map<String, Object>> unknownWorker(UnknownWorkerException e) {
        return error(HttpStatus.NOT_FOUND, e.code(), e.getMessage());
    }

    @ExceptionHandler(UnknownTaskException.class)
    ResponseEntity<Map<String, Object>> unknownTask(UnknownTaskException e) {
        return error(HttpStatus.NOT_FOUND, e.code(), e.getMessage());
    }

    @ExceptionHandler(SessionEndedException.class)
    ResponseEntity<Map<String, Object>> ended(SessionEndedException e) {
        return error(HttpStatus.CONFLICT, e.code(), e.getMessage());
    }

    @ExceptionHandler(LiveControls.BadCountException.class)
    ResponseEntity<Map<String, Object>> badCount(LiveControls.BadCountException e) {
        return error(HttpStatus.BAD_REQUEST, "bad_count", e.getMessage());
    }

    @ExceptionHandler(LiveControls.BadBudgetException.class)
    ResponseEntity<Map<String, Object>> badBudget(LiveControls.BadBudgetException e) {
        return error(HttpStatus.BAD_REQUEST, "bad_budget", e.getMessage());
    }

    @ExceptionHandler(GoLiveBudget.LowBalanceException.class)
    ResponseEntity<Map<String, Object>> lowBalance(GoLiveBudget.LowBalanceException e) {
        ResponseEntity<Map<String, Object>> response = error(HttpStatus.CONFLICT, e.code(), e.getMessage()
                + " Add funds, or go live anyway with confirmLowBalance=true.");
        response.getBody().put("estimate", e.estimate());
        return response;
    }

    @ExceptionHandler(GoLiveBudget.BadConfirmationException.class)
    ResponseEntity<Map<String, Object>> badConfirmation(GoLiveBudget.BadConfirmationException e) {
        return error(HttpStatus.BAD_REQUEST, "bad_request", e.getMessage());
    }

    /** A bad Go live choice (name, thresholds, marketplace): 400 naming the field. */
    @ExceptionHandler(InvalidConfigurationException.class)
    ResponseEntity<Map<String, Object>> invalid(InvalidConfigurationException e) {
        ResponseEntity<Map<String, Object>> response = error(HttpStatus.BAD_REQUEST, e.code(), e.getMessage());
        response.getBody().put("field", e.field());
        return response;
    }

    @ExceptionHandler(PavilionException.class)
    ResponseEntity<Map<String, Object>> refused(PavilionException e) {
        return error(HttpStatus.BAD_REQUEST, e.code(), e.getMessage());
    }

    @ExceptionHandler({HttpMessageNotReadableException.class, MethodArgumentTypeMismatchException.class})
    ResponseEntity<Map<String, Object>> unreadable(Exception e, HttpServletRequest request) {
        String uri = request.getRequestURI();
        String example = uri.endsWith("/hire-budget") ? "{\"budget\": 20}"
                : uri.endsWith("/bulk") ? "{\"action\": \"stop\", \"sessionIds\": [1, 2]}"
                : "{\"count\": 2, \"force\": false}";
        return error(HttpStatus.BAD_REQUEST, "bad_request",
                "the request could not be read (expected JSON such as " + example + ")");
    }

    @ExceptionHandler(MarketplaceException.class)
    ResponseEntity<Map<String, Object>> marketplace(MarketplaceException e) {
        log.warn("go-live refused by the marketplace: {} {}", e.errorCode(), e.getMessage());
        MarketplaceRefusal refusal = MarketplaceRefusal.of(e); // the same words as the task page's
        ResponseEntity<Map<String, Object>> response = error(HttpStatus.BAD_GATEWAY, "marketplace_error",
                refusal.message());
        if (refusal.field() != null) {
            response.getBody().put("field", refusal.field());
        }
        response.getBody().put("code", e.errorCode());
        response.getBody().put("retryable", e.retryable());
        return response;
    }

    @ExceptionHandler(SessionStorageException.class)
    ResponseEntity<Map<String, Object>> storage(SessionStorageException e) {
        log.warn("live control could not be stored", e);
        return error(HttpStatus.SERVICE_UNAVAILABLE, "storage_unavailable", e.getMessage());
    }

    @ExceptionHandler(AdminNames.NotLoggedInException.class)
    ResponseEntity<Map<String, Object>> notLoggedIn(AdminNames.NotLoggedInException e) {
        return error(HttpStatus.UNAUTHORIZED, "unauthorized", e.getMessage());
    }

    static ResponseEntity<Map<String, Object>> error(HttpStatus status, String error, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
