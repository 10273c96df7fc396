package org.pavilion.admin.ops;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.pavilion.session.SessionStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.servlet.ModelAndView;

/**
 * The admin console while the database stalls (issue 13): a page or API request that needed the database
 * and could not get it in time — a lock held past {@code pavilion.database.lock-timeout}, no pooled connection
 * within HikariCP's connection timeout, a session's writer that could not reload from the database — is
 * answered {@code 503} with {@code Retry-After} and a plain explanation (a page, or JSON under {@code /api/}),
 * at once, rather than holding the admin's request (and a Tomcat thread) until the database answers or failing
 * with a stack trace. Other data-access errors are left to the usual handlers.
 */
@ControllerAdvice(basePackages = "org.pavilion.admin")
@Order(Ordered.HIGHEST_PRECEDENCE)
public class DatabaseBusyErrors {

    private static final Logger log = LoggerFactory.getLogger(DatabaseBusyErrors.class);

    /** Seconds a client is asked to wait before trying again. */
    static final int RETRY_AFTER_SECONDS = 5;
    static final String MESSAGE = "The database is not answering in time (a lock held too long, or every "
            + "connection busy); nothing was changed. Try again in a moment.";

    /** PostgreSQL's lock_not_available (lock_timeout), query_canceled (statement_timeout), connection failures. */
    private static final Set<String> BUSY_STATES = Set.of("55P03", "57014");

    @ExceptionHandler({DataAccessException.class, TransactionException.class, DatabaseBusyException.class})
    Object busy(RuntimeException e, HttpServletRequest request, HttpServletResponse response) {
        if (!isBusy(e)) {
            throw e; // not ours: the other handlers (or the error page) answer it
        }
        log.warn("{} {}: database busy, answered 503: {}", request.getMethod(), request.getRequestURI(), describe(e));
        if (request.getRequestURI().startsWith(request.getContextPath() + "/api/")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", "database_busy");
            body.put("message", MESSAGE);
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS))
                    .contentType(MediaType.APPLICATION_JSON).body(body);
        }
        response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS));
        ModelAndView page = new ModelAndView("admin/busy");
        page.setStatus(HttpStatus.SERVICE_UNAVAILABLE);
        page.addObject("title", "The database is busy");
        page.addObject("message", MESSAGE);
        page.addObject("retryAfter", RETRY_AFTER_SECONDS);
        return page;
    }

    /** Whether {@code e} says the database did not answer in time (rather than that the request was wrong). */
    static boolean isBusy(Throwable e) {
        if (e instanceof DatabaseBusyException || e instanceof SessionStorageException
                || e instanceof TransientDataAccessException || e instanceof DataAccessResourceFailureException
                || e instanceof CannotCreateTransactionException) {
            return true;
        }
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLException sql && sql.getSQLState() != null
                    && (BUSY_STATES.contains(sql.getSQLState()) || sql.getSQLState().startsWith("08"))) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return e.getClass().getSimpleName() + (root == e ? "" : " (" + root.getClass().getSimpleName() + ": "
                + root.getMessage() + ")");
    }
}
