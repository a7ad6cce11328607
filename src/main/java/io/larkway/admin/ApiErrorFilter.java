package io.larkway.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The errors Spring MVC itself answers under {@code /api} (no route for the path: 404; a path whose routes
 * take other methods: 405 with its {@code Allow} header) in the contract's {@code {"error","message"}}
 * instead of Spring Boot's error page format: Spring reports them through {@code sendError}, which this
 * filter's response turns into the JSON answer (so no error dispatch follows).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class ApiErrorFilter extends OncePerRequestFilter {
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrorFilter.class);
    private final ObjectMapper json;

    public ApiErrorFilter(ObjectMapper json) {
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return !(uri.equals("/api") || uri.startsWith("/api/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(request, new ContractErrors(request, response));
    }

    private final class ContractErrors extends HttpServletResponseWrapper {
        private final HttpServletRequest request;

        ContractErrors(HttpServletRequest request, HttpServletResponse response) {
            super(response);
            this.request = request;
        }

        @Override
        public void sendError(int status) throws IOException {
            sendError(status, null);
        }

        @Override
        public void sendError(int status, String ignored) throws IOException {
            if (isCommitted()) {
                super.sendError(status, ignored);
                return;
            }
            String path = ApiException.echo(request.getRequestURI());
            String method = request.getMethod();
            String error;
            String message;
            if (status == 404) {
                error = "not_found";
                message = "no API call " + method + " " + path;
            } else if (status == 405) {
                String allow = getHeader("Allow");
                error = "method_not_allowed";
                message = method + " is not allowed on " + path + (allow == null || allow.isBlank() ? "" : " (allowed: " + allow + ")");
            } else {
                HttpStatus known = HttpStatus.resolve(status);
                error = known == null ? "error" : known.name().toLowerCase();
                message = known == null ? "the request failed with status " + status : known.getReasonPhrase();
            }
            LOG.info("API {} {} -> {} {}", method, path, status, error);
            Map<String, String> body = new LinkedHashMap<>();
            body.put("error", error);
            body.put("message", message);
            resetBuffer();
            setStatus(status);
            setContentType("application/json");
            byte[] bytes = json.writeValueAsBytes(body);
            setContentLength(bytes.length);
            getOutputStream().write(bytes);
            flushBuffer();
        }
    }
}
