package org.pavilion.format;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one {@link Formats} of the server, in the zone of {@code pavilion.time-zone}; a bad zone stops the start. */
@Configuration(proxyBeanMethods = false)
class FormatsConfiguration {

    @Bean
    Formats formats(@Value("${pavilion.time-zone:}") String zone) {
        return Formats.useForServer(new Formats(Formats.zoneOf(zone)));
    }
}
