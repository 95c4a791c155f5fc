// DOM helpers shared by the dashboard's modules (app.js, beacon.js).

export const $ = (id) => document.getElementById(id)

/** An element with text, class and attributes, and its children appended. */
export const el = (tag, props = {}, children = []) => {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(props)) {
    if (k === 'text') node.textContent = v
    else if (k === 'class') node.className = v
    else node.setAttribute(k, v)
  }
  for (const child of children) node.append(child)
  return node
}
