package org.pavilion;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class PavilionApplication {
    public static void main(String[] args) {
        SpringApplication.run(PavilionApplication.class, args);
    }
}
