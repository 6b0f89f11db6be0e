package io.rusm.test;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a user deciding whether to depend on rusm reads in the published artifacts: an Apache-2.0
 * licence, project metadata every module inherits, a release profile with sources and javadoc, the
 * demo and benchmarks never deployed, and null-marked Spring and test packages. Read from the build
 * files of this checkout (the module's parent directory is the repository root).
 */
class PublishableBuildTests {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static Element pom(String module) throws Exception {
        Path file = module.isEmpty() ? ROOT.resolve("pom.xml") : ROOT.resolve(module).resolve("pom.xml");
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        return doc.getDocumentElement();
    }

    private static String child(Element e, String name) {
        var nodes = e.getElementsByTagName(name);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }

    @Test
    void theLicenceIsApache2AndTheRootPomSaysSo() throws Exception {
        assertThat(Files.readString(ROOT.resolve("LICENSE"))).contains("Apache License").contains("Version 2.0");
        Element root = pom("");
        assertThat(child(root, "licenses")).contains("Apache License, Version 2.0");
        assertThat(child(root, "url")).startsWith("https://");
        assertThat(child(root, "scm")).contains("https://");
        assertThat(root.getElementsByTagName("developer").getLength()).isPositive();
    }

    @Test
    void aReleaseProfileBuildsSourcesAndJavadocJars() throws Exception {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        assertThat(pom).contains("<id>release</id>").contains("maven-source-plugin").contains("maven-javadoc-plugin");
    }

    @Test
    void theDemoAndTheBenchmarksAreNeverDeployed() throws Exception {
        for (String module : List.of("demo-app", "rusm-bench")) {
            assertThat(child(pom(module), "maven.deploy.skip")).as(module).isEqualTo("true");
        }
    }

    @Test
    void springAndTestPackagesAreNullMarked() throws Exception {
        for (String module : List.of("rusm-spring-autoconfigure", "rusm-test")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                List<Path> infos = files.filter(p -> p.getFileName().toString().equals("package-info.java")).toList();
                assertThat(infos).as(module).isNotEmpty();
                for (Path info : infos) assertThat(Files.readString(info)).as(info.toString()).contains("@NullMarked");
            }
        }
    }
}
