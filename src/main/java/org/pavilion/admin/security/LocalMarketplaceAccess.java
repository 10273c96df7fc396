package org.pavilion.admin.security;

import static org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher.pathPattern;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Who may use the local marketplace ({@code /local-mturk/**}): clients on this machine (the
 * connection's both ends on loopback: 127.0.0.0/8, ::1, ::ffff:127.x), a logged-in admin (cookie
 * session or API token), or everyone when {@code pavilion.marketplace.local.open-to-network} is
 * set. Anyone who reaches it can accept, return and submit any assignment, plan API faults and
 * read every HIT, so by default it is not served to the network. Pavilion's own MTurk client
 * and its SNS certificate and confirmation fetches connect over loopback.
 *
 * <p>Forwarding headers ({@code X-Forwarded-For}, {@code Forwarded}, …) are never believed here:
 * anyone can send them. Their presence only makes the decision stricter (a request a proxy
 * forwarded comes from somewhere else, even when the proxy runs on this machine). The addresses
 * are read from the container's own request, under any filter's wrapper (Spring's
 * {@code ForwardedHeaderFilter} rewrites {@code getRemoteAddr()} from those headers), and the
 * connection's local end must be loopback too (Tomcat's {@code RemoteIpValve}, with
 * {@code server.forward-headers-strategy=native}, rewrites the remote address but not the local
 * one; a connection to a loopback address can only come from this machine).
 */
final class LocalMarketplaceAccess implements AuthorizationManager<RequestAuthorizationContext> {

    static final String MESSAGE = "The local marketplace answers only requests from this machine (loopback) "
            + "or from a logged-in admin.";

    /** Every path of the local marketplace. */
    static final RequestMatcher PATHS = new OrRequestMatcher(pathPattern("/local-mturk"), pathPattern("/local-mturk/**"));

    /** Its paths that programs call: refused with JSON (the Requester API and the worker API). */
    static final RequestMatcher API_PATHS = new OrRequestMatcher(pathPattern(HttpMethod.POST, "/local-mturk"),
            pathPattern(HttpMethod.POST, "/local-mturk/"), pathPattern("/local-mturk/api/**"));

    /** Headers a proxy adds; a request carrying one was forwarded from elsewhere. */
    private static final List<String> FORWARDING_HEADERS = List.of("Forwarded", "X-Forwarded-For", "X-Real-IP",
            "X-Forwarded-Host", "X-Client-IP", "True-Client-IP", "CF-Connecting-IP");

    /** An IP literal (so that {@link InetAddress#getByName} never asks DNS). */
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[0-9A-Za-z_.-]+)?]?");

    private final boolean openToNetwork;

    LocalMarketplaceAccess(boolean openToNetwork) {
        this.openToNetwork = openToNetwork;
    }

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication,
                                         RequestAuthorizationContext context) {
        return new AuthorizationDecision(openToNetwork || fromThisMachine(context.getRequest())
                || isAdmin(authentication.get()));
    }

    private static boolean isAdmin(Authentication a) {
        return a != null && a.isAuthenticated() && !(a instanceof AnonymousAuthenticationToken)
                && a.getAuthorities().stream().anyMatch(g -> ("ROLE_" + AdminPrincipal.ROLE).equals(g.getAuthority()));
    }

    /**
     * Whether the request came over a loopback connection, not through a proxy: its remote and
     * local addresses (as the container saw the connection) are loopback addresses and it carries
     * no forwarding header.
     */
    static boolean fromThisMachine(HttpServletRequest request) {
        HttpServletRequest raw = containerRequest(request);
        for (String header : FORWARDING_HEADERS) {
            if (raw.getHeader(header) != null) {
                return false;
            }
        }
        return isLoopback(raw.getRemoteAddr()) && isLoopback(raw.getLocalAddr());
    }

    /** The request as the container made it, under filters' wrappers (which may rewrite addresses). */
    private static HttpServletRequest containerRequest(HttpServletRequest request) {
        HttpServletRequest r = request;
        while (r instanceof HttpServletRequestWrapper wrapper) {
            ServletRequest inner = wrapper.getRequest();
            if (!(inner instanceof HttpServletRequest http)) {
                break;
            }
            r = http;
        }
        return r;
    }

    /** An IP literal of the loopback network: 127.0.0.0/8, ::1, or an IPv4-mapped 127.x. */
    static boolean isLoopback(String address) {
        if (address == null || address.isEmpty() || address.length() > 64) {
            return false;
        }
        if (IPV4.matcher(address).matches()) {
            // By hand: InetAddress would ask DNS about a dotted quad it does not accept (e.g. 999.0.0.1).
            String[] octets = address.split("\\.");
            for (String octet : octets) {
                if (Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
            return Integer.parseInt(octets[0]) == 127;
        }
        if (!IPV6.matcher(address).matches()) {
            return false; // not an IP literal (never resolved: a name is not an address)
        }
        try {
            // Contains ':', so InetAddress parses it as an IPv6 literal or refuses it; never DNS.
            // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) comes back as the Inet4Address it maps.
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }

    /** 403: JSON for the APIs, plain text for the board, its forms and the local SNS. */
    static void refuse(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (API_PATHS.matches(request)) {
            JsonErrors.write(response, HttpServletResponse.SC_FORBIDDEN, "forbidden", MESSAGE, null);
            return;
        }
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setContentType("text/plain");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write("403 Forbidden. " + MESSAGE + " Log in to the admin console first, or open "
                + "the board on the machine Pavilion runs on.\n");
        response.flushBuffer();
    }
}
