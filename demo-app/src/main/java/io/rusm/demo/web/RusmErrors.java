package io.rusm.demo.web;

import io.rusm.CallTimeoutException;
import io.rusm.MailboxFullException;
import io.rusm.NoProcessException;
import io.rusm.ProcessCrashedException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** How service failures look over HTTP: each rusm failure gets its own status, the app keeps serving. */
@RestControllerAdvice
class RusmErrors {

    @ExceptionHandler
    ProblemDetail crashed(ProcessCrashedException e) {
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "service crashed", e);
    }

    @ExceptionHandler
    ProblemDetail noProcess(NoProcessException e) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "service not running", e);
    }

    @ExceptionHandler
    ProblemDetail timeout(CallTimeoutException e) {
        return problem(HttpStatus.GATEWAY_TIMEOUT, "service did not answer in time", e);
    }

    @ExceptionHandler
    ProblemDetail full(MailboxFullException e) {
        return problem(HttpStatus.TOO_MANY_REQUESTS, "service is overloaded", e);
    }

    @ExceptionHandler
    ProblemDetail badRequest(IllegalArgumentException e) {
        return problem(HttpStatus.BAD_REQUEST, "bad request", e);
    }

    private static ProblemDetail problem(HttpStatus status, String title, Exception e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        p.setTitle(title);
        return p;
    }
}
