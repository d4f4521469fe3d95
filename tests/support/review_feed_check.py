"""Validates a product-ratings feed against tests/fixtures/google-product-reviews-2.4.xsd and
prints what it says as JSON, for tests/review-feed.test.mjs (which has no XML parser).

Usage: python review_feed_check.py SCHEMA FEED. Exit 1, with the first problems on stderr, when
the feed breaks a rule of the schema.
"""

import json
import sys
import xml.etree.ElementTree as ElementTree

import xmlschema


def texts(node, path):
    return [e.text for e in node.findall(path)]


def main(schema_path, feed_path):
    schema = xmlschema.XMLSchema(schema_path)
    problems = list(schema.iter_errors(feed_path))
    if problems:
        for problem in problems[:5]:
            print(f"{problem.reason} at {problem.path}", file=sys.stderr)
        sys.exit(1)
    feed = ElementTree.parse(feed_path).getroot()
    reviews = []
    for r in feed.iterfind("reviews/review"):
        name = r.find("reviewer/name")
        reviews.append({
            "children": [c.tag for c in r],
            "id": r.findtext("review_id"),
            "author": name.text,
            "anonymous": name.get("is_anonymous"),
            "language": r.findtext("review_language"),
            "timestamp": r.findtext("review_timestamp"),
            "title": r.findtext("title"),
            "content": r.findtext("content"),
            "review_url": r.findtext("review_url"),
            "review_url_type": r.find("review_url").get("type"),
            "rating": r.findtext("ratings/overall"),
            "rating_range": [r.find("ratings/overall").get("min"), r.find("ratings/overall").get("max")],
            "product_name": r.findtext("products/product/product_name"),
            "product_url": r.findtext("products/product/product_url"),
            "gtins": texts(r, "products/product/product_ids/gtins/gtin"),
            "mpns": texts(r, "products/product/product_ids/mpns/mpn"),
            "skus": texts(r, "products/product/product_ids/skus/sku"),
            "brands": texts(r, "products/product/product_ids/brands/brand"),
            "verified": r.findtext("is_verified_purchase"),
            "collection": r.findtext("collection_method"),
        })
    json.dump({
        "version": feed.findtext("version"),
        "publisher": feed.findtext("publisher/name"),
        "has_reviews_element": feed.find("reviews") is not None,
        "reviews": reviews,
    }, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
