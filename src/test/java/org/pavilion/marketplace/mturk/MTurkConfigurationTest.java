package org.pavilion.marketplace.mturk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.Marketplace;
import org.pavilion.marketplace.MarketplaceSettings;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The wired {@link Marketplace} bean: in local mode (the default) it is an MTurk client for this
 * server's own {@code /local-mturk/}, on the port the web server actually got, with the local keys.
 * Only the web server, the marketplace settings and this package's configuration are started.
 */
@SpringBootTest(classes = MTurkConfigurationTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
class MTurkConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TomcatServletWebServerAutoConfiguration.class)
    @EnableConfigurationProperties(MarketplaceSettings.class)
    @Import(MTurkConfiguration.class)
    static class App {
    }

    @Autowired
    ObjectProvider<Marketplace> marketplace;
    @Autowired
    MTurkClientFactory factory;
    @LocalServerPort
    int port;

    @Test
    void localModeTalksToThisServersLocalMarketplace() {
        LazyMarketplace lazy = assertInstanceOf(LazyMarketplace.class, marketplace.getObject());
        MTurkClient client = assertInstanceOf(MTurkClient.class, lazy.delegate());

        assertEquals(URI.create("http://127.0.0.1:" + port + "/local-mturk/"), client.endpoint());
        assertEquals("us-east-1", client.region());
        assertEquals("LOCALPAVILIONKEY", factory.credentials().resolveCredentials().accessKeyId());
    }
}
