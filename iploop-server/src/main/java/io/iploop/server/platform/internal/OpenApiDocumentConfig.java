package io.iploop.server.platform.internal;

import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Whole-document touches to {@code /api/openapi.json} that the annotations of single controllers
 * cannot make: a title, and one entry per tag. Several controllers declare the same tag
 * ({@code admin}, {@code billing}) with different descriptions; springdoc lists each variant, and
 * OpenAPI requires tag names to be unique, so code generators refuse the document
 * (docs/integrations/api-clients.md). The first description springdoc saw wins.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiDocumentConfig {

    @Bean
    OpenApiCustomizer uniqueTagsAndTitle() {
        return openApi -> {
            if (openApi.getInfo() == null) {
                openApi.setInfo(new Info().version("v0"));
            }
            openApi.getInfo().title("IPLoop API").description("Control plane REST API of IPLoop: docs/product/api.md. "
                    + "Generated clients: docs/integrations/api-clients.md.");
            if (openApi.getTags() != null) {
                Set<String> seen = new HashSet<>();
                List<Tag> unique = new ArrayList<>();
                for (Tag t : openApi.getTags()) {
                    if (seen.add(t.getName())) {
                        unique.add(t);
                    }
                }
                openApi.setTags(unique);
            }
        };
    }
}
