package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pavilion.marketplace.local.LocalMarketplaceLockdownTest.NETWORK;
import static org.pavilion.marketplace.local.LocalMarketplaceLockdownTest.from;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import org.junit.jupiter.api.Test;
import org.pavilion.admin.security.SecurityTestSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.context.WebApplicationContext;

/** {@code pavilion.marketplace.local.open-to-network=true}: the local marketplace serves every client (a LAN demo). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        LocalTestSupport.P1, "pavilion.marketplace.local.open-to-network=true"})
class LocalMarketplaceOpenToNetworkTest {

    @Autowired
    WebApplicationContext context;
    @Autowired
    FaultInjector faults;

    @Test
    void theNetworkIsServedWithoutAnAdmin() throws Exception {
        MockMvc mvc = SecurityTestSupport.mockMvc(context);
        assertThat(mvc.perform(get("/local-mturk/board").with(from(NETWORK))).andReturn().getResponse().getStatus())
                .isEqualTo(200);
        assertThat(mvc.perform(get("/local-mturk/api/hits").header("X-Forwarded-For", "198.51.100.1")
                .with(from(NETWORK))).andReturn().getResponse().getStatus()).isEqualTo(200);
        assertThat(mvc.perform(post("/local-mturk/api/faults").contentType(MediaType.APPLICATION_JSON)
                .content("{\"operation\":\"OpenProbe\",\"times\":1,\"fault\":\"THROTTLING\"}").with(from(NETWORK)))
                .andReturn().getResponse().getStatus()).isEqualTo(200);
        assertThat(faults.next("OpenProbe")).contains(FaultInjector.Fault.THROTTLING);
    }
}
