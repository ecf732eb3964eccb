namespace Taifa.Silo.Portal;

/// <summary>The portal's one stylesheet: readable on a phone first (one column), a wider measure on a desk.</summary>
public static class PortalStyles
{
    public const string Css = """
        *, *::before, *::after { box-sizing: border-box; }
        html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 100%; line-height: 1.5; color: #1b1b1b; background: #fff; }
        body { margin: 0 auto; max-width: 48rem; padding: 0 1rem 2rem; }
        .skip { position: absolute; left: -999px; }
        .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; outline: 3px solid #0b5; }
        header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: 1rem 0; border-bottom: 2px solid #0a6b3d; }
        .brand { font-weight: 700; font-size: 1.25rem; margin: 0; color: #0a6b3d; flex: 1 1 auto; }
        .who { margin: 0; font-size: .9rem; overflow-wrap: anywhere; }
        nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem .5rem; padding: 0; margin: .75rem 0; }
        nav a { display: inline-block; padding: .5rem .75rem; border-radius: .25rem; color: #0a4f8a; }
        nav a[aria-current="page"] { background: #0a6b3d; color: #fff; text-decoration: none; }
        h1 { font-size: 1.6rem; margin: 1rem 0; }
        .balance { font-size: 2.5rem; font-weight: 700; margin: .25rem 0 1rem; }
        form.stacked { display: grid; gap: 1rem; max-width: 32rem; }
        label { display: block; font-weight: 600; margin-bottom: .25rem; }
        .hint { display: block; font-size: .9rem; color: #444; margin-bottom: .25rem; }
        input, select, textarea { width: 100%; font: inherit; padding: .6rem; border: 1px solid #767676; border-radius: .25rem; }
        textarea { min-height: 8rem; }
        button { font: inherit; padding: .6rem 1.2rem; border: 0; border-radius: .25rem; background: #0a6b3d; color: #fff; cursor: pointer; justify-self: start; }
        .logout button { background: #444; padding: .4rem .9rem; }
        button.secondary { background: #444; }
        td form { margin: 0; }
        td button { padding: .3rem .8rem; }
        td.message-text { overflow-wrap: anywhere; }
        form.stacked + form.stacked { margin-top: 1rem; }
        :focus-visible { outline: 3px solid #f5a300; outline-offset: 2px; }
        .notice { padding: .75rem 1rem; border-left: 4px solid #0a6b3d; background: #eef7f1; }
        .notice.problem { border-color: #b00020; background: #fdecee; }
        .secret { display: block; font-family: ui-monospace, monospace; font-size: 1rem; padding: .75rem; background: #f3f3f3; overflow-wrap: anywhere; user-select: all; }
        table { border-collapse: collapse; width: 100%; }
        caption { text-align: left; font-weight: 600; padding: .5rem 0; }
        th, td { text-align: left; padding: .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
        dl { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: .25rem 1rem; }
        dt { font-weight: 600; }
        dd { margin: 0; overflow-wrap: anywhere; }
        form.filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .75rem 1rem; align-items: end; margin-bottom: 1rem; }
        form.filters button { justify-self: stretch; }
        .download { font-weight: 600; }
        .pages { display: flex; gap: 1rem; margin: 1rem 0; }
        .pages a { padding: .5rem 0; }
        td.amount { font-variant-numeric: tabular-nums; }
        figure { margin: 0 0 1rem; }
        figcaption { font-size: .9rem; color: #444; }
        .chart { width: 100%; height: auto; display: block; }
        .chart .grid { stroke: #ccc; stroke-width: 1; }
        .chart text { font: 11px system-ui, sans-serif; fill: #1b1b1b; }
        .chart .value { font-weight: 600; }
        .legend { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: 0; margin: .5rem 0; font-size: .9rem; }
        .legend svg { margin-right: .3rem; vertical-align: -1px; }
        .s-delivered { fill: #0a6b3d; } .s-submitted { fill: #2f7bbf; } .s-queued { fill: #9aa0a6; } .s-undelivered { fill: #e07b00; }
        .s-expired { fill: #8a5a00; } .s-rejected { fill: #b00020; } .s-failed { fill: #5c0011; } .s-cancelled { fill: #6f42c1; } .s-scheduled { fill: #c77dba; }
        .scroll { overflow-x: auto; }
        table.columns th, table.columns td { white-space: nowrap; }
        /* On a phone a table's rows become blocks of labelled lines, except the small ones (and those in a scrolling region) marked columns. */
        @media (max-width: 30rem) {
          table:not(.columns), table:not(.columns) > caption, table:not(.columns) > thead, table:not(.columns) > tbody,
          table:not(.columns) tr, table:not(.columns) th, table:not(.columns) td { display: block; }
          table:not(.columns) > thead { position: absolute; left: -999px; }
          table:not(.columns) td::before { content: attr(data-label) ": "; font-weight: 600; }
          table:not(.columns) td:not([data-label])::before { content: none; }
          table:not(.columns) tr { padding: .4rem 0; border-bottom: 2px solid #767676; }
          table:not(.columns) td, table:not(.columns) th { border-bottom: 0; padding: .15rem .5rem; }
        }
        """;
}
