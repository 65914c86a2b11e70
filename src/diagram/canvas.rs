//! An SVG canvas for layout-rs: draws with CSS classes so the theme colours diagrams (light,
//! dark, print), escapes every label, and keeps ids unique per diagram.

use std::fmt::Write;

use layout::core::color::Color;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::StyleAttr;

/// Collects draw calls; [`Canvas::finish`] wraps them into an `<svg>` element.
pub(crate) struct Canvas {
    body: String,
    min: Point,
    max: Point,
    /// Suffix that makes marker ids unique when several diagrams share a page.
    id: String,
}

/// The default fill layout-rs gives shapes; anything else was chosen by the author of a DOT
/// block and is kept.
const DEFAULT_FILL: u32 = 0xffffffff;
const DEFAULT_LINE: u32 = 0x000000ff;

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

impl Canvas {
    pub(crate) fn new(id: &str) -> Self {
        Canvas {
            body: String::new(),
            min: Point::new(f64::MAX, f64::MAX),
            max: Point::new(f64::MIN, f64::MIN),
            id: id.to_string(),
        }
    }

    fn grow(&mut self, corner: Point, size: Point) {
        self.min = Point::new(self.min.x.min(corner.x), self.min.y.min(corner.y));
        self.max = Point::new(
            self.max.x.max(corner.x + size.x),
            self.max.y.max(corner.y + size.y),
        );
    }

    /// Adds raw SVG (already escaped) on top of what was drawn, e.g. link overlays.
    pub(crate) fn push_raw(&mut self, svg: &str) {
        self.body.push_str(svg);
    }

    /// The finished `<svg>` element, sized to its content with a small margin.
    pub(crate) fn finish(&self, class: &str, title: &str) -> String {
        let margin = 8.0;
        let (min, max) = if self.min.x > self.max.x {
            (Point::zero(), Point::new(1.0, 1.0))
        } else {
            (self.min, self.max)
        };
        let (x, y) = (min.x - margin, min.y - margin);
        let (width, height) = (max.x - min.x + 2.0 * margin, max.y - min.y + 2.0 * margin);
        let mut svg = String::with_capacity(self.body.len() + 600);
        let _ = write!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="diagram {class}" viewBox="{x:.1} {y:.1} {width:.1} {height:.1}" width="{width:.0}" height="{height:.0}" role="img" aria-label="{label}"><title>{label}</title><defs><marker id="arrow-{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead"/></marker></defs>"#,
            label = escape(title),
            id = self.id,
        );
        svg.push_str(&self.body);
        svg.push_str("</svg>");
        svg
    }

    /// Presentation attributes for colours an author chose, so they survive the theme.
    fn author_colours(look: &StyleAttr) -> String {
        let mut style = String::new();
        if let Some(fill) = look.fill_color
            && !is(fill, DEFAULT_FILL)
        {
            let _ = write!(style, "fill:{};", fill.to_web_color());
        }
        if !is(look.line_color, DEFAULT_LINE) {
            let _ = write!(style, "stroke:{};", look.line_color.to_web_color());
        }
        if style.is_empty() {
            String::new()
        } else {
            format!(r#" style="{style}""#)
        }
    }
}

fn is(color: Color, value: u32) -> bool {
    color.to_web_color() == format!("#{value:08x}")
}

/// Shape classes come from the element's properties (set by opsbook); DOT shapes have none.
fn classes(properties: &Option<String>) -> String {
    match properties {
        Some(classes) => format!("shape {}", escape(classes)),
        None => "shape".to_string(),
    }
}

impl RenderBackend for Canvas {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        properties: Option<String>,
        _: Option<ClipHandle>,
    ) {
        self.grow(xy, size);
        let _ = write!(
            self.body,
            r#"<rect class="{}" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="{}"{}/>"#,
            classes(&properties),
            xy.x,
            xy.y,
            size.x,
            size.y,
            look.rounded.max(4),
            Self::author_colours(look)
        );
    }

    fn draw_line(&mut self, start: Point, stop: Point, _: &StyleAttr, _: Option<String>) {
        let _ = write!(
            self.body,
            r#"<line class="edge" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>"#,
            start.x, start.y, stop.x, stop.y
        );
    }

    fn draw_circle(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        properties: Option<String>,
    ) {
        self.grow(Point::new(xy.x - size.x / 2.0, xy.y - size.y / 2.0), size);
        let _ = write!(
            self.body,
            r#"<ellipse class="{}" cx="{:.1}" cy="{:.1}" rx="{:.1}" ry="{:.1}"{}/>"#,
            classes(&properties),
            xy.x,
            xy.y,
            size.x / 2.0,
            size.y / 2.0,
            Self::author_colours(look)
        );
    }

    fn draw_text(&mut self, xy: Point, text: &str, _: &StyleAttr) {
        let lines: Vec<&str> = text.lines().collect();
        if lines.is_empty() {
            return;
        }
        let first_offset = -((lines.len() - 1) as f64) * 0.6;
        let _ = write!(
            self.body,
            r#"<text class="label" x="{:.1}" y="{:.1}">"#,
            xy.x, xy.y
        );
        for (i, line) in lines.iter().enumerate() {
            let dy = if i == 0 { first_offset } else { 1.2 };
            let _ = write!(
                self.body,
                r#"<tspan x="{:.1}" dy="{dy:.1}em">{}</tspan>"#,
                xy.x,
                escape(line)
            );
        }
        self.body.push_str("</text>");
    }

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        dashed: bool,
        head: (bool, bool),
        _: &StyleAttr,
        properties: Option<String>,
        text: &str,
    ) {
        if path.len() < 2 {
            return;
        }
        for (a, b) in path {
            self.grow(*a, Point::zero());
            self.grow(*b, Point::zero());
        }
        let mut d = format!(
            "M {:.1} {:.1} C {:.1} {:.1}, {:.1} {:.1}, {:.1} {:.1}",
            path[0].0.x,
            path[0].0.y,
            path[0].1.x,
            path[0].1.y,
            path[1].0.x,
            path[1].0.y,
            path[1].1.x,
            path[1].1.y
        );
        // As layout-rs lays them out: after the first pair, each pair is (control, end point).
        for (control, end) in &path[2..] {
            let _ = write!(
                d,
                " S {:.1} {:.1}, {:.1} {:.1}",
                control.x, control.y, end.x, end.y
            );
        }
        let mut class = String::from("edge");
        if dashed {
            class.push_str(" soft");
        }
        if let Some(extra) = properties {
            class.push(' ');
            class.push_str(&escape(&extra));
        }
        let marker = |on: bool, which: &str| {
            if on {
                format!(r#" marker-{which}="url(#arrow-{})""#, self.id)
            } else {
                String::new()
            }
        };
        let _ = write!(
            self.body,
            r#"<path class="{class}" d="{d}"{}{}/>"#,
            marker(head.0, "start"),
            marker(head.1, "end")
        );
        if !text.is_empty() {
            let middle = path[path.len() / 2].0;
            let _ = write!(
                self.body,
                r#"<text class="edge-label" x="{:.1}" y="{:.1}">{}</text>"#,
                middle.x,
                middle.y,
                escape(text)
            );
        }
    }

    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}
