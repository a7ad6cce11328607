package io.larkway.admin;

import io.larkway.platform.LarkwayProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards {@code /api/**} before Camel's HTTP binding sees a request: form-encoded bodies (what
 * {@code curl -d} sends without a Content-Type) would be parsed as form fields by the binding and
 * fail with a 500, so they get a 415 JSON error instead, as do compressed ({@code Content-Encoding})
 * bodies; a body over the limit gets 413, whether its
 * length is declared or it comes chunked (then it is read here, at most the limit).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class JsonBodyFilter extends OncePerRequestFilter {
    private static final Logger LOG = LoggerFactory.getLogger(JsonBodyFilter.class);
    private final long maxBytes;

    public JsonBodyFilter(LarkwayProperties props) {
        this.maxBytes = props.maxBodyBytes();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String type = request.getContentType() == null ? "" : request.getContentType().toLowerCase();
        if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/")) {
            reject(request, response, 415, "unsupported_media_type", "send a JSON body with Content-Type: application/json");
            return;
        }
        String encoding = request.getHeader("Content-Encoding");
        if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            // a compressed body would reach the checks (and the signature) as bytes that are not JSON
            reject(request, response, 415, "unsupported_media_type", "Content-Encoding is not supported; send the JSON body uncompressed");
            return;
        }
        if (request.getContentLengthLong() > maxBytes) {
            reject(request, response, 413, "payload_too_large", "the body is larger than " + maxBytes + " bytes");
            return;
        }
        if (request.getContentLengthLong() < 0 && !"GET".equals(request.getMethod())) {
            // chunked, no declared length: read at most the limit here, so an unbounded body never reaches memory whole
            byte[] body = request.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 1, maxBytes + 1));
            if (body.length > maxBytes) {
                reject(request, response, 413, "payload_too_large", "the body is larger than " + maxBytes + " bytes");
                return;
            }
            chain.doFilter(new ReadBody(request, body), response);
            return;
        }
        chain.doFilter(request, response);
    }

    /** A request whose (chunked) body was already read, within the limit. */
    private static final class ReadBody extends jakarta.servlet.http.HttpServletRequestWrapper {
        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public jakarta.servlet.ServletInputStream getInputStream() {
            java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(body);
            return new jakarta.servlet.ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(jakarta.servlet.ReadListener listener) {
                    throw new UnsupportedOperationException("the body was already read");
                }
            };
        }

        @Override
        public java.io.BufferedReader getReader() {
            return new java.io.BufferedReader(new java.io.InputStreamReader(getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }

    private static void reject(HttpServletRequest request, HttpServletResponse response, int status, String error, String message) throws IOException {
        LOG.info("API {} {} -> {} {}", request.getMethod(), request.getRequestURI(), status, message);
        response.setStatus(status);
        response.setContentType("application/json");
        response.getOutputStream().write(("{\"error\":\"" + error + "\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
    }
}
