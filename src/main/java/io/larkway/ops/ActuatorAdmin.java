package io.larkway.ops;

import io.larkway.admin.KeyMaterial;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * What "authorized" means to the actuator, larkway having no Spring Security: a request to
 * {@code /actuator/**} that carries {@code Authorization: Bearer <admin key>} has a principal.
 * With {@code management.endpoint.health.show-components/show-details: when-authorized} only such a
 * caller sees the per-integration components (their ids, modes and reasons); anyone else gets the
 * overall status. Organisation keys are no principal here: a tenant reads its own Status instead.
 */
@Component
public class ActuatorAdmin extends OncePerRequestFilter {
    private static final Principal ADMIN = () -> "admin";
    private final KeyMaterial keys;

    public ActuatorAdmin(KeyMaterial keys) {
        this.keys = keys;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/actuator/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String authorization = request.getHeader("Authorization");
        boolean admin = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                && keys.isAdminKey(authorization.substring(7).trim());
        chain.doFilter(admin ? new HttpServletRequestWrapper(request) {
            @Override
            public Principal getUserPrincipal() {
                return ADMIN;
            }
        } : request, response);
    }
}
